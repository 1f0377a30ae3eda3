import BotEngine
import ChatCore
import Foundation

/// The numerics a command answers with, built from the chat's state as the
/// engine runs the request (under the chat's lock, so they are exact and
/// in order). Each returns IRC lines joined by newlines: an `IRCRequest.lines` reply.
struct IRCReplies {
    let chat: Chat
    let id: UserID
    let config: IRCConfig

    static let version = "papo-1.0"

    var nick: String { chat.name(of: id) ?? "*" }

    func numeric(_ code: String, _ params: String...) -> IRCMessage {
        IRCMessage(source: config.serverName, command: code, params: [nick] + params)
    }

    static func joined(_ messages: [IRCMessage]) -> String {
        messages.map { $0.serialized() }.joined(separator: "\n")
    }

    /// 001-005, the user count and 422 (Papo has no MOTD), in the order the
    /// Modern IRC spec gives for the end of registration.
    func welcome(user: String, address: String?, account: String?) -> String {
        let started = TimeFormat.dateTime(chat.startedAt)
        var lines = [
            numeric("001", "Bem-vindo à rede \(config.networkName), \(IRCRenderer.mask(nick))"),
            numeric("002", "Seu servidor é \(config.serverName), versão \(Self.version)"),
            numeric("003", "Este servidor está no ar desde \(started)"),
            IRCMessage(source: config.serverName, command: "004",
                       params: [nick, config.serverName, Self.version, "io", "benostv", "beov"]),
        ]
        lines += isupportLines
        lines += luserLines
        lines.append(numeric("422", "Este servidor não tem MOTD. Converse com /msg papo ajuda"))
        if let account { lines.append(numeric("900", IRCRenderer.mask(nick), account, "Você entrou na conta \(account)")) }
        return Self.joined(lines)
    }

    /// 005, at most 12 tokens a line.
    var isupportLines: [IRCMessage] {
        let tokens = isupport
        return stride(from: 0, to: tokens.count, by: 12).map { start in
            let chunk = Array(tokens[start..<min(start + 12, tokens.count)])
            return IRCMessage(source: config.serverName, command: "005",
                              params: [nick] + chunk + ["são aceitos por este servidor"])
        }
    }

    /// Channels one NAMES may ask for (`NAMES #a,#b`).
    static let maxNamesTargets = 10

    var isupport: [String] {
        [
            "CASEMAPPING=ascii", "CHANTYPES=#", "PREFIX=(ov)@+", "CHANMODES=be,,,nst", "EXCEPTS=e",
            "CHANLIMIT=#:\(chat.limits.perUser)", "NICKLEN=\(NameRules.maxNameLength)",
            "CHANNELLEN=\(NameRules.maxRoomLength + 1)", "TOPICLEN=\(RoomLimits.maxTopicLength)",
            "NETWORK=\(config.networkName)", "TARGMAX=PRIVMSG:4,NOTICE:4,JOIN:,PART:,KICK:4,NAMES:\(Self.maxNamesTargets),WHOIS:1",
            "MAXTARGETS=4", "MODES=4", "BOT=B", "UTF8ONLY", "AWAYLEN=300", "KICKLEN=300", "WHOX",
        ]
    }

    var luserLines: [IRCMessage] {
        let stats = chat.stats(top: 0)
        return [
            numeric("251", "Há \(stats.connectedUsers) usuários e 1 servidor"),
            numeric("254", String(stats.rooms), "salas"),
            numeric("255", "Eu tenho \(stats.connectedUsers) clientes e 1 servidor"),
        ]
    }

    /// What follows the JOIN line: the topic, if any, then NAMES.
    func joinBurst(room: String) throws -> String {
        var lines: [IRCMessage] = []
        if let topic = try chat.topic(ofRoom: room).topic {
            lines.append(numeric("332", "#" + room, topic.text))
            lines.append(numeric("333", "#" + room, IRCRenderer.mask(topic.setBy), String(Int(topic.time.timeIntervalSince1970))))
        }
        lines += try names(room: room)
        return Self.joined(lines)
    }

    /// 353 with `@` before moderators (and admins), then 366. The bot sits
    /// in no room, so it is never listed (docs/IRC.md).
    func names(room requested: String) throws -> [IRCMessage] {
        let (room, members) = try chat.members(ofRoom: requested)
        let (_, settings, member) = try chat.settings(ofRoom: room, for: id)
        // A secret room shows its members only to its own (and admins), marked `@`.
        guard !settings.secret || member || chat.isAdmin(named: nick) else {
            return [numeric("366", "#" + room, "Fim da lista de NAMES")]
        }
        let symbol = settings.secret ? "@" : "="
        var lines: [IRCMessage] = []
        var current: [String] = []
        var size = 0
        for member in members {
            let entry = (member.role >= .moderator ? "@" : "") + member.name
            if size + entry.utf8.count > 400 {
                lines.append(numeric("353", symbol, "#" + room, current.joined(separator: " ")))
                current = []
                size = 0
            }
            current.append(entry)
            size += entry.utf8.count + 1
        }
        if !current.isEmpty { lines.append(numeric("353", symbol, "#" + room, current.joined(separator: " "))) }
        lines.append(numeric("366", "#" + room, "Fim da lista de NAMES"))
        return lines
    }

    /// What an IRC client told about itself (nc users: their name).
    func identity(of name: String) -> IRCIdentity {
        (chat.endpoint(named: name) as? IRCClient)?.identity ?? IRCIdentity()
    }

    /// WHO #room, WHO nick or a nick mask (`*`, `ana*`): 352 per user, then
    /// 315. Flags: H here or G away, `*` for a Papo admin, `@` for a moderator.
    /// With WHOX fields (`WHO ana %tnaf,42`), 354 rows of just those fields.
    func who(_ mask: String, fields: String? = nil) -> String {
        let whox = fields.flatMap(WHOXQuery.init)
        var lines: [IRCMessage] = []
        func row(_ name: String, _ channel: String, _ role: Role, admin: Bool) {
            let who = identity(of: name)
            let flags = (who.away == nil ? "H" : "G") + (admin ? "*" : "") + (role >= .moderator ? "@" : "")
            guard let whox else {
                lines.append(numeric("352", channel, who.userName ?? name, "papo", config.serverName, name, flags,
                                     "0 \(who.realName ?? name)"))
                return
            }
            let user = chat.connectedUsers().first { nameKey($0.name) == nameKey(name) }
            let idle = user.map { Int(chat.now.timeIntervalSince($0.lastSpokeAt ?? $0.connectedAt)) } ?? 0
            let values: [Character: String] = [
                "c": channel, "u": who.userName ?? name, "i": "255.255.255.255", "h": "papo", "s": config.serverName,
                "n": name, "f": flags, "d": "0", "l": String(max(0, idle)), "a": chat.accountName(ofOnline: name) ?? "0",
                "o": "n/a", "r": who.realName ?? name,
            ]
            lines.append(IRCMessage(source: config.serverName, command: "354", params: [nick] + whox.params(values)))
        }
        if mask.hasPrefix("#") {
            // `WHO #a,#b` (irssi, after joining several): each channel's members, one 315.
            for channel in mask.split(separator: ",").prefix(10) {
                guard let (room, members) = try? chat.members(ofRoom: String(channel)),
                      let (_, settings, member) = try? chat.settings(ofRoom: room, for: id),
                      !settings.secret || member || chat.isAdmin(named: nick) else { continue }
                for member in members {
                    row(member.name, "#" + room, member.role, admin: chat.isAdmin(named: member.name))
                }
            }
        } else {
            // A mask (not a plain nick) leaves out +i users who share no channel with the caller.
            let isMask = mask.contains { $0 == "*" || $0 == "?" }
            let callerRooms = Set(chat.roomNames(of: id).map(nameKey))
            let seesAll = chat.isAdmin(named: nick)
            for user in chat.connectedUsers() where IRCMask.matches(mask, user.name) {
                if isMask, !seesAll, nameKey(user.name) != nameKey(nick), identity(of: user.name).invisible,
                   !user.rooms.contains(where: { callerRooms.contains(nameKey($0)) }) { continue }
                let room = user.rooms.first
                let role = room.flatMap { room in
                    (try? chat.members(ofRoom: room))?.members.first { nameKey($0.name) == nameKey(user.name) }?.role
                } ?? .user
                row(user.name, room.map { "#" + $0 } ?? "*", role, admin: chat.isAdmin(named: user.name))
            }
        }
        lines.append(numeric("315", mask, "Fim da lista de WHO"))
        return Self.joined(lines)
    }

    /// WHOIS nick: 311, 319, 312, 330 for an account, 301 when away, 318.
    func whois(_ target: String) -> String {
        guard let user = chat.connectedUsers().first(where: { nameKey($0.name) == nameKey(target) }) else {
            if nameKey(target) == Chat.botName {
                return Self.joined([
                    numeric("311", Chat.botName, "bot", "papo", "*", "O bot do Papo: /msg papo ajuda"),
                    numeric("335", Chat.botName, "é um bot"),
                    numeric("318", Chat.botName, "Fim do WHOIS"),
                ])
            }
            return Self.joined([numeric("401", target, ChatError.noSuchUser(target).message),
                                numeric("318", target, "Fim do WHOIS")])
        }
        let who = identity(of: user.name)
        var lines = [numeric("311", user.name, who.userName ?? user.name, "papo", "*", who.realName ?? user.name)]
        // Secret rooms only to those in them (and admins).
        let visible = user.rooms.filter { room in
            guard let (_, settings, member) = try? chat.settings(ofRoom: room, for: id) else { return false }
            return !settings.secret || member || chat.isAdmin(named: nick)
        }
        if !visible.isEmpty {
            let rooms = visible.map { room in
                let role = (try? chat.members(ofRoom: room))?.members.first { nameKey($0.name) == nameKey(user.name) }?.role
                return (role ?? .user >= .moderator ? "@#" : "#") + room
            }
            lines.append(numeric("319", user.name, rooms.joined(separator: " ")))
        }
        lines.append(numeric("312", user.name, config.serverName, "Papo"))
        if let away = who.away { lines.append(numeric("301", user.name, away)) }
        let idle = Int(chat.now.timeIntervalSince(user.lastSpokeAt ?? user.connectedAt))
        lines.append(numeric("317", user.name, String(max(0, idle)), String(Int(user.connectedAt.timeIntervalSince1970)),
                             "segundos parado, hora de entrada"))
        lines.append(numeric("318", user.name, "Fim do WHOIS"))
        return Self.joined(lines)
    }

    /// LIST: 321, a 322 per room, 323.
    func list() -> String {
        var lines = [numeric("321", "Canal", "Usuários  Tópico")]
        for room in chat.roomList(for: id) {
            lines.append(numeric("322", "#" + room.name, String(room.memberCount), room.topic ?? ""))
        }
        lines.append(numeric("323", "Fim da LIST"))
        return Self.joined(lines)
    }

    /// MODE #room: Papo rooms are always +n (members only speak) and +t
    /// (moderators set the topic).
    func channelModes(_ room: String) throws -> String {
        let (name, settings, _) = try chat.settings(ofRoom: room, for: id)
        return Self.joined([numeric("324", "#" + name, "+n" + (settings.secret ? "s" : "") + (settings.openTopic ? "" : "t"))])
    }

    /// MODE #room b: the ban list.
    func banList(_ room: String) throws -> String {
        let (name, bans) = try chat.bans(ofRoom: room)
        var lines = bans.map { ban in
            numeric("367", "#" + name, IRCRenderer.banMask(ban.name), IRCRenderer.mask(ban.bannedBy),
                    String(Int(ban.time.timeIntervalSince1970)))
        }
        lines.append(numeric("368", "#" + name, "Fim da lista de banimentos"))
        return Self.joined(lines)
    }

    /// MODE #room e: the names and patterns exempted from its bans.
    func exceptionList(_ room: String) throws -> String {
        let (name, settings, _) = try chat.settings(ofRoom: room, for: id)
        var lines = settings.exceptions.map { numeric("348", "#" + name, IRCRenderer.banMask($0)) }
        lines.append(numeric("349", "#" + name, "Fim da lista de isenções"))
        return Self.joined(lines)
    }
}
