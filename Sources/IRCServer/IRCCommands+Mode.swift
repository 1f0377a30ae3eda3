import BotEngine
import ChatCore

/// MODE: queries of a channel's modes, ban and exception lists, `+b`/`-b`
/// and `+e`/`-e` on a nick's mask (wildcards allowed in the nick),
/// `+o`/`-o` for Papo moderators, `+s`/`-t` room settings; user modes
/// are only answered.
extension IRCCommands {
    /// User modes: only `+i` (invisible: left out of WHO by mask for those
    /// who share no channel with the user), kept by the IRC front end. Others'
    /// modes are not shown (502); unknown letters get 501.
    private func userMode(_ target: String, change: String?) {
        guard nameKey(target) == nameKey(client.nick) else {
            client.send([client.numeric("502", "Só é possível ver ou mudar os próprios modos")])
            return
        }
        guard let change else {
            client.send([client.numeric("221", client.identity.invisible ? "+i" : "+")])
            return
        }
        var adding = true, applied = "", last: Character? = nil, unknown = false
        for letter in change {
            switch letter {
            case "+", "-":
                adding = letter == "+"
            case "i":
                guard client.identity.invisible != adding else { continue }
                client.identity.invisible = adding
                let sign: Character = adding ? "+" : "-"
                if last != sign { applied.append(sign) }
                applied.append("i")
                last = sign
            default:
                unknown = true
            }
        }
        if unknown { client.send([client.numeric("501", "Modo de usuário desconhecido")]) }
        if !applied.isEmpty {
            client.send([IRCMessage(source: IRCRenderer.mask(client.nick), command: "MODE", params: [client.nick, applied])])
        }
    }

    func mode(_ message: IRCMessage) -> Bool {
        let params = message.params
        guard let target = params.first else {
            client.send([client.numeric("461", "MODE", "Faltam parâmetros")])
            return true
        }
        guard target.hasPrefix("#") else {
            userMode(target, change: params.count > 1 ? params[1] : nil)
            return true
        }
        let config = self.config, id = self.id
        // irssi asks about several channels at once after joining them (`MODE #a,#b`, `MODE #a,#b b`).
        let channels = target.split(separator: ",").map(String.init)
        if channels.count > 1, params.count == 1 || params[1] == "b" || params[1] == "e" {
            var more = true
            for channel in channels.prefix(10) {
                more = mode(IRCMessage(command: "MODE", params: [channel] + params.dropFirst())) && more
            }
            return more
        }
        guard params.count > 1 else {
            return perform("MODE", target) { chat in try IRCReplies(chat: chat, id: id, config: config).channelModes(Self.roomName(target)) }
        }
        let changes = Self.parseChanges(params[1], arguments: Array(params.dropFirst(2)))
        if changes.isEmpty || changes.allSatisfy({ $0.mode == "b" && $0.argument == nil }) {
            return perform("MODE", target) { chat in try IRCReplies(chat: chat, id: id, config: config).banList(Self.roomName(target)) }
        }
        if changes.allSatisfy({ $0.mode == "e" && $0.argument == nil }) {
            return perform("MODE", target) { chat in
                try IRCReplies(chat: chat, id: id, config: config).exceptionList(Self.roomName(target))
            }
        }
        var more = true
        for change in changes.prefix(4) {
            more = perform("MODE", target) { chat in
                let room = try Self.existingRoom(target, in: chat)
                let replies = IRCReplies(chat: chat, id: id, config: config)
                switch (change.mode, change.argument) {
                case ("b", nil):
                    return try replies.banList(room)
                case ("b", let mask?):
                    guard let name = Self.nick(ofMask: mask) else {
                        return replies.numeric("696", target, "b", mask, "O Papo bane por apelido: use apelido!*@*").serialized()
                    }
                    if change.adding { try chat.banName(id, name: name, in: room) } else { try chat.unban(id, target: name, in: room) }
                    return ""
                case ("e", nil):
                    return try replies.exceptionList(room)
                case ("e", let mask?):
                    guard let name = Self.nick(ofMask: mask) else {
                        return replies.numeric("696", target, "e", mask, "O Papo isenta por apelido: use apelido!*@*").serialized()
                    }
                    let change = change.adding ? RoomSettingsChange(exceptionAdded: name) : RoomSettingsChange(exceptionRemoved: name)
                    try chat.changeSettings(by: id, in: room, change)
                    return ""
                case ("o", let name?):
                    if change.adding {
                        try chat.addRoomModerator(by: id, name: name, in: room)
                    } else {
                        try chat.removeRoomModerator(by: id, name: name, in: room)
                    }
                    return ""
                case ("v", let name?):
                    // Papo has no voice: rooms are never +m. Accepted and shown to its setter only.
                    guard chat.role(of: id, inRoom: room) >= .moderator else { throw ChatError.notModerator(room) }
                    guard let target = chat.onlineName(name) else { throw ChatError.noSuchUser(name) }
                    return IRCMessage(source: IRCRenderer.mask(replies.nick), command: "MODE",
                                      params: ["#" + room, change.adding ? "+v" : "-v", target]).serialized()
                case ("o", nil), ("v", nil):
                    return replies.numeric("461", "MODE", "Falta o apelido para +\(change.mode)").serialized()
                case ("s", nil):
                    try chat.changeSettings(by: id, in: room, RoomSettingsChange(secret: change.adding))
                    return ""
                case ("t", nil):
                    try chat.changeSettings(by: id, in: room, RoomSettingsChange(openTopic: !change.adding))
                    return ""
                case ("n", nil):
                    // Always on in Papo: only members speak in a room.
                    return change.adding ? "" : replies.numeric("472", "n", "Salas do Papo são sempre +n").serialized()
                case (let mode, _):
                    return replies.numeric("472", String(mode), "Modo desconhecido para o Papo").serialized()
                }
            } && more
        }
        return more
    }

    private func perform(_ command: String, _ target: String, _ action: @escaping ChatEngine.Action) -> Bool {
        engine.perform(from: id, requestID: IRCRequest.lines(command: command, target: target).id, action)
    }

    struct ModeChange: Equatable {
        var adding: Bool
        var mode: Character
        var argument: String?
    }

    /// `+bo-b mask nick mask`: modes with their arguments (b, o, k, l, v take one when set).
    static func parseChanges(_ modes: String, arguments: [String]) -> [ModeChange] {
        var adding = true
        var remaining = arguments[...]
        var changes: [ModeChange] = []
        for character in modes {
            switch character {
            case "+": adding = true
            case "-": adding = false
            default:
                let takesArgument = "bevok".contains(character) || (character == "l" && adding)
                let argument = takesArgument ? remaining.popFirst() : nil
                changes.append(ModeChange(adding: adding, mode: character, argument: argument))
            }
        }
        return changes
    }

    /// The nick or nick pattern a ban mask names: `nick!*@*`, `ba*!*@*`,
    /// `nick!*`, or a bare `nick`; nil for masks on the user or host part
    /// (every Papo user's is the same, so they could only mean everyone).
    static func nick(ofMask mask: String) -> String? {
        let nick = String(mask.prefix { $0 != "!" && $0 != "@" })
        guard !nick.isEmpty else { return nil }
        let rest = mask.dropFirst(nick.count)
        guard rest.isEmpty || rest == "!*@*" || rest == "!*" || rest == "!*@*" else { return nil }
        return nick
    }
}
