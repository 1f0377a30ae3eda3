import ChatCore
import Foundation

/// Renders what the core sends as IRC lines for one client. Papo's names
/// are already IRC-safe (letters, digits, `_ - .`, no spaces), so nicks and
/// channel names are carried as they are, in UTF-8 (docs/IRC.md).
enum IRCRenderer {
    /// Who the lines are for.
    struct Viewer {
        var nick: String
        var caps: Set<IRCCapability>
        var serverName: String
    }

    /// `nick!user@host` for a Papo name. Papo keeps no IRC user or host for
    /// its users, so every mask is `nick!nick@papo`, and the bot's `papo!bot@papo`.
    static func mask(_ name: String) -> String {
        name == Chat.botName ? "papo!bot@papo" : "\(name)!\(name)@papo"
    }

    static func channel(_ room: String?) -> String { "#" + (room ?? "") }

    static func lines(for event: ChatEvent, viewer: Viewer) -> [IRCMessage] {
        let who = event.sender ?? "*"
        let source = mask(who)
        let room = channel(event.room)
        let mine = who == viewer.nick
        var tags: [String: String] = [:]
        if viewer.caps.contains(.serverTime) { tags["time"] = IRCTime.format(event.time) }
        func line(_ command: String, _ params: String...) -> IRCMessage {
            IRCMessage(tags: tags, source: source, command: command, params: params)
        }
        switch event.kind {
        case .message:
            if mine && !viewer.caps.contains(.echoMessage) { return [] }
            return [line(event.notice ? "NOTICE" : "PRIVMSG", room, clean(event.text))]
        case .privateMessage:
            if mine && !viewer.caps.contains(.echoMessage) { return [] }
            // The bot's whispers are answers: NOTICEs, which clients never answer automatically.
            return [line(who == Chat.botName ? "NOTICE" : "PRIVMSG", event.target ?? viewer.nick, clean(event.text))]
        case .join, .connect:
            return [line("JOIN", room)]
        case .leave:
            return [event.text.map { line("PART", room, clean($0)) } ?? line("PART", room)]
        case .disconnect:
            return [line("QUIT", clean(event.text ?? "Saiu do chat"))]
        case .rename:
            return [line("NICK", event.target ?? "*")]
        case .topic:
            return [line("TOPIC", room, clean(event.text ?? ""))]
        case .kick:
            return [line("KICK", room, event.target ?? "*", clean(event.text ?? who))]
        case .ban:
            let mode = line("MODE", room, "+b", banMask(event.target ?? "*"))
            if event.text == ChatEvent.banOfAbsentName { return [mode] }
            return [mode, line("KICK", room, event.target ?? "*", "Banido por \(who)")]
        case .unban:
            return [line("MODE", room, "-b", banMask(event.target ?? "*"))]
        case .moderatorAdded:
            return [line("MODE", room, "+o", event.target ?? "*")]
        case .moderatorRemoved:
            return [line("MODE", room, "-o", event.target ?? "*")]
        case .settings:
            // An open topic is IRC's -t.
            var modes = ""
            if let secret = event.settingsChange?.secret { modes += secret ? "+s" : "-s" }
            if let open = event.settingsChange?.openTopic { modes += open ? "-t" : "+t" }
            var lines = modes.isEmpty ? [] : [line("MODE", room, modes)]
            if let added = event.settingsChange?.exceptionAdded { lines.append(line("MODE", room, "+e", banMask(added))) }
            if let removed = event.settingsChange?.exceptionRemoved { lines.append(line("MODE", room, "-e", banMask(removed))) }
            return lines
        case .admin:
            return [IRCMessage(tags: tags, source: viewer.serverName, command: "NOTICE",
                               params: [room, "\(who) agora é administrador"])]
        case .shutdown:
            return [IRCMessage(source: viewer.serverName, command: "NOTICE",
                               params: [viewer.nick, "O servidor está sendo encerrado. Até logo!"])]
        case .current, .identify:
            return []
        }
    }

    /// The ban mask a Papo ban by name is shown as.
    static func banMask(_ name: String) -> String { "\(name)!*@*" }

    static func lines(for reply: Reply, viewer: Viewer) -> [IRCMessage] {
        let request = IRCRequest(reply.requestID)
        if reply.unprompted || request == nil {
            // Said by the server on its own (an account dropped, a flood warning).
            let text = reply.error?.message ?? reply.text
            return text.isEmpty ? [] : notices(text, from: viewer.serverName, to: viewer.nick)
        }
        switch request! {
        case .pong:
            return [IRCMessage(source: viewer.serverName, command: "PONG", params: [viewer.serverName, reply.text])]
        case .lines(let command, let target):
            if let error = reply.error { return [numeric(for: error, command: command, target: target, viewer: viewer)] }
            return reply.text.split(separator: "\n").compactMap { IRCMessage(parsing: $0) }
        case .message(let command, let target):
            guard let error = reply.error, command != "NOTICE" else { return [] }
            return [numeric(for: error, command: command, target: target, viewer: viewer)]
        case .bot, .fantasy:
            let text = reply.error?.message ?? reply.text
            return notices(text, from: mask(Chat.botName), to: viewer.nick)
        }
    }

    static func notices(_ text: String, from source: String, to nick: String) -> [IRCMessage] {
        text.split(separator: "\n").map { IRCMessage(source: source, command: "NOTICE", params: [nick, clean(String($0))]) }
    }

    /// The numeric IRC clients expect for `error` in answer to `command`
    /// (on `target`); errors IRC has no numeric for become a NOTICE.
    static func numeric(for error: ChatError, command: String, target: String, viewer: Viewer) -> IRCMessage {
        func reply(_ code: String, _ params: String...) -> IRCMessage {
            IRCMessage(source: viewer.serverName, command: code, params: [viewer.nick] + params + [error.message])
        }
        switch error {
        case .nameEmpty: return reply("431")
        case .nameInvalid, .nameTooLong, .nameReserved: return reply("432", target)
        case .nameTaken, .nameLookalike, .nameRegistered, .passwordRequired, .nameIsAccount: return reply("433", target)
        case .noSuchUser(let name): return reply("401", name.isEmpty ? target : name)
        case .noSuchRoom(let room): return reply("403", channel(room))
        case .roomNameInvalid: return reply("403", target)
        case .notMember(let room):
            return command == "PRIVMSG" || command == "NOTICE" ? reply("404", channel(room)) : reply("442", channel(room))
        case .bannedFromRoom(let room):
            return command == "JOIN" ? reply("474", channel(room)) : reply("404", channel(room))
        case .notModerator(let room): return reply("482", channel(room))
        case .targetOutranks: return reply("482", target)
        case .notInSameRoom(let name): return reply("441", name, target)
        case .messageEmpty: return reply("412")
        case .tooManyRooms: return reply("405", target)
        case .notAdmin: return reply("481")
        case .wrongPassword: return reply("464")
        case .unknownCommand(let name, _): return reply("421", name)
        default:
            return IRCMessage(source: viewer.serverName, command: "NOTICE", params: [viewer.nick, error.message])
        }
    }

    /// Text for a trailing parameter: CR, LF and NUL would end or break the
    /// line, so they become spaces (the core refuses them anyway).
    static func clean(_ text: String?) -> String {
        guard let text else { return "" }
        guard text.utf8.contains(where: { $0 == 0 || $0 == 10 || $0 == 13 }) else { return text }
        return String(text.map { $0 == "\r" || $0 == "\n" || $0 == "\0" || $0 == "\r\n" ? " " : $0 })
    }
}

/// IRCv3 `server-time`: `2026-12-02T20:40:13.123Z`, in UTC.
enum IRCTime {
    static func format(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var t = tm()
        gmtime_r(&seconds, &t)
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        func pad(_ value: Int32, _ width: Int = 2) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(t.tm_year + 1900)-\(pad(t.tm_mon + 1))-\(pad(t.tm_mday))T\(pad(t.tm_hour)):\(pad(t.tm_min)):\(pad(t.tm_sec))."
            + pad(Int32(millis), 3) + "Z"
    }
}
