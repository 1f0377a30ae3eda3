import BotEngine
import ChatCore

/// The commands of a registered IRC client, each mapped onto the engine:
/// chat lines become Papo command lines (`/em`, `/privado`, any command
/// of the table for the bot), the rest become engine actions on the chat.
/// Either way the engine runs them in the user's order and answers through
/// the outbox (`IRCRequest` says how the answer is rendered).
struct IRCCommands {
    let session: IRCSession
    let id: UserID

    var engine: ChatEngine { session.engine }
    var client: IRCClient { session.client }
    var config: IRCConfig { session.config }

    /// Runs `message`; false when the engine asks for no more lines for now.
    func run(_ message: IRCMessage) -> Bool {
        let params = message.params
        switch message.command {
        case "PING":
            guard let token = params.first else { return missing(message) }
            return engine.perform(from: id, requestID: IRCRequest.pong.id) { _ in token }
        case "PONG":
            return true
        case "CAP":
            session.capability(message)
            return true
        case "PASS", "USER":
            client.send([client.numeric("462", "Você já se registrou")])
            return true
        case "NICK":
            guard let nick = params.first, !nick.isEmpty else {
                client.send([client.numeric("431", "Nenhum apelido informado")])
                return true
            }
            return lines("NICK", nick) { chat in
                if nick == chat.name(of: id) { return "" }
                try chat.rename(id, to: nick)
                return ""
            }
        case "JOIN":
            guard let targets = params.first else { return missing(message) }
            if targets == "0" { return partAll() }
            var more = true
            for target in targets.split(separator: ",").map(String.init) {
                more = join(target) && more
            }
            return more
        case "PART":
            guard let targets = params.first else { return missing(message) }
            let reason = params.count > 1 && !params[1].isEmpty ? params[1] : nil
            var more = true
            for target in targets.split(separator: ",").map(String.init) {
                more = lines("PART", target) { chat in
                    let room = try Self.existingRoom(target, in: chat)
                    try chat.part(id, room: room, reason: reason)
                    return ""
                } && more
            }
            return more
        case "PRIVMSG", "NOTICE":
            guard let targets = params.first, !targets.isEmpty else {
                if message.command == "PRIVMSG" { client.send([client.numeric("411", "Falta o destinatário (PRIVMSG)")]) }
                return true
            }
            guard params.count > 1, !params[1].isEmpty else {
                if message.command == "PRIVMSG" { client.send([client.numeric("412", "Nada para enviar")]) }
                return true
            }
            var more = true
            for target in targets.split(separator: ",").prefix(4).map(String.init) {
                more = say(params[1], to: target, command: message.command) && more
            }
            return more
        case "TAGMSG":
            return true
        case "QUIT":
            let reason = params.first.map { IRCRenderer.clean($0) }
            // In the user's turn: lines sent before QUIT (a message still in the hooks) go out first.
            session.state = .closed
            return engine.perform(from: id, requestID: IRCRequest.lines(command: "QUIT", target: "").id) { chat in
                chat.quit(id, reason: reason.map { "Quit: \($0)" } ?? "Quit")
                return ""
            }
        case "TOPIC":
            guard let target = params.first else { return missing(message) }
            if params.count == 1 {
                return lines("TOPIC", target) { chat in
                    let (room, topic) = try chat.topic(ofRoom: try Self.roomName(target))
                    guard chat.roomNames(of: id).contains(room) else { throw ChatError.notMember(room) }
                    let replies = IRCReplies(chat: chat, id: id, config: config)
                    guard let topic else { return replies.numeric("331", "#" + room, "Sem tópico").serialized() }
                    return IRCReplies.joined([
                        replies.numeric("332", "#" + room, topic.text),
                        replies.numeric("333", "#" + room, IRCRenderer.mask(topic.setBy),
                                        String(Int(topic.time.timeIntervalSince1970))),
                    ])
                }
            }
            return lines("TOPIC", target) { chat in
                try chat.setTopic(id, params[1].isEmpty ? nil : params[1], in: try Self.existingRoom(target, in: chat))
                return ""
            }
        case "NAMES":
            guard let target = params.first else {
                return lines("NAMES", "*") { chat in IRCReplies(chat: chat, id: id, config: config).numeric("366", "*", "Fim da lista de NAMES").serialized() }
            }
            return lines("NAMES", target) { chat in
                let replies = IRCReplies(chat: chat, id: id, config: config)
                let channels = target.split(separator: ",").prefix(IRCReplies.maxNamesTargets).map(String.init)
                let found = channels.compactMap { channel -> [IRCMessage]? in
                    guard let room = try? Self.roomName(channel), chat.existingRoomName(room) != nil else { return nil }
                    return try? replies.names(room: room)
                }
                // One channel: its own 366. Several (`NAMES #a,#b`): their 353s, then one 366 for the list.
                if channels.count == 1, let only = found.first { return IRCReplies.joined(only) }
                let rows = found.flatMap { $0.dropLast() }
                return IRCReplies.joined(rows + [replies.numeric("366", target, "Fim da lista de NAMES")])
            }
        case "WHO":
            let mask = params.first ?? "*"
            let fields = params.count > 1 ? params[1] : nil
            return lines("WHO", mask) { chat in IRCReplies(chat: chat, id: id, config: config).who(mask, fields: fields) }
        case "WHOIS":
            guard let target = params.last, !target.isEmpty else {
                client.send([client.numeric("431", "Nenhum apelido informado")])
                return true
            }
            return lines("WHOIS", target) { chat in IRCReplies(chat: chat, id: id, config: config).whois(target) }
        case "LIST":
            return lines("LIST", "*") { chat in IRCReplies(chat: chat, id: id, config: config).list() }
        case "MODE":
            return mode(message)
        case "KICK":
            guard params.count >= 2 else { return missing(message) }
            // `KICK #a nick1,nick2`, or channels and nicks in pairs: `KICK #a,#b nick1,nick2`.
            let channels = params[0].split(separator: ",").map(String.init)
            let targets = params[1].split(separator: ",").prefix(4).map(String.init)
            let reason = params.count > 2 && !params[2].isEmpty ? params[2] : nil
            var more = true
            for (index, target) in targets.enumerated() {
                let channel = channels.count == targets.count ? channels[index] : channels.first ?? ""
                more = lines("KICK", channel) { chat in
                    try chat.kick(id, target: target, in: try Self.existingRoom(channel, in: chat), reason: reason)
                    return ""
                } && more
            }
            return more
        case "AWAY":
            let text = params.first.flatMap { $0.isEmpty ? nil : IRCRenderer.clean(String($0.prefix(300))) }
            client.identity.away = text
            return lines("AWAY", "") { chat in
                let replies = IRCReplies(chat: chat, id: id, config: config)
                return text == nil ? replies.numeric("305", "Você não está mais ausente").serialized()
                    : replies.numeric("306", "Você está marcado como ausente").serialized()
            }
        case "OPER":
            guard params.count >= 2 else { return missing(message) }
            guard config.operators[params[0]] == params[1] else {
                // As `/admin`: the third wrong password on a connection closes it.
                session.failedOpers += 1
                client.send([client.numeric("464", "Senha incorreta")])
                if session.failedOpers >= ChatEngine.maxPasswordAttempts { session.close(saying: ChatError.tooManyAttempts.message) }
                return true
            }
            return lines("OPER", "") { chat in
                if !chat.isAdmin(id) { try chat.grantAdmin(id) }
                return IRCReplies(chat: chat, id: id, config: config).numeric("381", "Você agora é administrador do Papo").serialized()
            }
        case "MOTD":
            return lines("MOTD", "") { chat in
                IRCReplies(chat: chat, id: id, config: config).numeric("422", "Este servidor não tem MOTD").serialized()
            }
        case "LUSERS":
            return lines("LUSERS", "") { chat in IRCReplies.joined(IRCReplies(chat: chat, id: id, config: config).luserLines) }
        case "VERSION":
            return lines("VERSION", "") { chat in
                let replies = IRCReplies(chat: chat, id: id, config: config)
                return IRCReplies.joined([replies.numeric("351", IRCReplies.version, config.serverName, "Papo")]
                                         + replies.isupportLines)
            }
        case "ISON":
            let names = params.flatMap { $0.split(separator: " ").map(String.init) }
            return lines("ISON", "") { chat in
                let online = names.compactMap { chat.onlineName($0) }
                return IRCReplies(chat: chat, id: id, config: config).numeric("303", online.joined(separator: " ")).serialized()
            }
        case "PAPO":
            // `/papo ajuda` (or /quote PAPO ajuda): a command of the table, as `/msg papo ajuda`.
            return runForBot(params.joined(separator: " "))
        default:
            client.send([client.numeric("421", message.command, "Comando desconhecido")])
            return true
        }
    }

    /// 461 for a command without the parameters it needs.
    private func missing(_ message: IRCMessage) -> Bool {
        client.send([client.numeric("461", message.command, "Faltam parâmetros")])
        return true
    }

    /// Runs an action whose text is IRC lines (errors: `command`'s numerics on `target`).
    private func lines(_ command: String, _ target: String, _ action: @escaping ChatEngine.Action) -> Bool {
        engine.perform(from: id, requestID: IRCRequest.lines(command: command, target: target).id, action)
    }

    /// `#sala` to Papo's `sala`; anything else is not a channel (403).
    static func roomName(_ target: String) throws -> String {
        guard target.hasPrefix("#"), target.count > 1 else { throw ChatError.roomNameInvalid(target) }
        return String(target.dropFirst())
    }

    /// The room `target` names, which must exist (403 otherwise, before 442 or 482).
    static func existingRoom(_ target: String, in chat: Chat) throws -> String {
        let room = try roomName(target)
        guard let name = chat.existingRoomName(room) else { throw ChatError.noSuchRoom(room) }
        return name
    }

    private func join(_ target: String) -> Bool {
        let client = self.client, engine = self.engine, id = self.id
        let replay = client.caps.contains(.serverTime) ? config.replayLines : 0
        return lines("JOIN", target) { [config] chat in
            let room = try Self.roomName(target)
            do {
                let (name, outcome, _) = try chat.join(id, room: room)
                // Already in it: IRC says nothing.
                if outcome == .switched { return "" }
                if replay > 0 {
                    // Read off the chat's lock, then handed back through the engine, so the
                    // lines come after the JOIN burst (which waits for the store), as one batch.
                    try chat.history(id, room: name, limit: replay) { messages in
                        let lines = client.replayLines(messages, room: name)
                        guard !lines.isEmpty else { return }
                        client.connection.eventLoop.execute {
                            engine.perform(from: id, requestID: IRCRequest.lines(command: "JOIN", target: target).id) { _ in
                                IRCReplies.joined(lines)
                            }
                        }
                    }
                }
                return try IRCReplies(chat: chat, id: id, config: config).joinBurst(room: name)
            } catch ChatError.alreadyInRoom {
                return ""
            }
        }
    }

    private func partAll() -> Bool {
        lines("PART", "*") { chat in
            for room in chat.roomNames(of: id) { try chat.part(id, room: room) }
            return ""
        }
    }

    /// PRIVMSG or NOTICE to a channel, a nick, or the bot.
    private func say(_ rawText: String, to target: String, command: String) -> Bool {
        var text = rawText
        // CTCP ACTION (`/me`) becomes a line in the third person; other CTCP is not carried.
        if text.hasPrefix("\u{1}") {
            let body = text.dropFirst().prefix { $0 != "\u{1}" }
            guard body.hasPrefix("ACTION ") else { return true }
            text = "* \(client.nick) " + body.dropFirst(7)
        }
        let request = IRCRequest.message(command: command, target: target).id
        if target.hasPrefix("#") {
            let room = String(target.dropFirst())
            if text.hasPrefix("!"), text.dropFirst().contains(where: { $0 != " " && $0 != "/" }), command == "PRIVMSG" {
                return fantasy(String(text.dropFirst()), room: room, raw: text)
            }
            let say = command == "NOTICE" ? "/aviso #" : "/em "
            return engine.handle(line: say + "\(room) \(text)", from: id, requestID: request)
        }
        if nameKey(target) == Chat.botName {
            return command == "PRIVMSG" ? runForBot(text) : true
        }
        return engine.handle(line: "/privado \(target) \(text)", from: id, requestID: request)
    }

    /// `PRIVMSG papo :dado 2d6`: the command `/dado 2d6`, answered in NOTICEs.
    private func runForBot(_ text: String) -> Bool {
        var line = text.drop { $0 == " " || $0 == "/" }
        if line.isEmpty { line = "ajuda" }
        return engine.handle(line: "/" + line, from: id, requestID: IRCRequest.bot.id)
    }

    /// `!dado 2d6` in a channel: the line is said there, then the command
    /// runs with that channel as the current room, and the engine has the
    /// bot say a short answer in the channel, if the caller may speak there
    /// (`ChatEngine.publicAnswerPrefix`); errors and long answers come back
    /// as NOTICEs. A line that names a password command anywhere (`!/identificar`,
    /// `!em sala /senha ...`) is refused before anything is said.
    private func fantasy(_ rawCommand: String, room: String, raw: String) -> Bool {
        let command = String(rawCommand.drop { $0 == " " || $0 == "/" })
        if Self.mentionsPasswordCommand(command) {
            return lines("PRIVMSG", "#" + room) { _ in throw ChatError.looksLikePassword }
        }
        let said = engine.handle(line: "/em \(room) \(raw)", from: id,
                                 requestID: IRCRequest.message(command: "PRIVMSG", target: "#" + room).id)
        _ = engine.perform(from: id, requestID: IRCRequest.message(command: "PRIVMSG", target: "#" + room).id) { chat in
            try chat.switchRoom(id, to: room)
            return ""
        }
        return engine.handle(line: "/" + command, from: id, requestID: IRCRequest.fantasy(room: room).id) && said
    }

    /// True when any word of `text` starts a password command (`identificar ana x`).
    static func mentionsPasswordCommand(_ text: String) -> Bool {
        let words = text.split(separator: " ")
        return words.indices.contains { index in
            let rest = words[index...].joined(separator: " ").drop { $0 == "/" }
            return BuiltinCommands.looksLikePasswordCommand("/" + rest)
        }
    }
}
