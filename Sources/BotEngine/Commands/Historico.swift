import ChatCore

extension BuiltinCommands {
    static let defaultHistory = 20
    static let maxHistory = 200

    /// `/historico [sala] [n]`: the last n messages of a room the caller is
    /// in (by default the current one), plus the caller's own private
    /// messages. Answered once the store has read them.
    static let historico = Command(
        name: "historico", aliases: ["history"], usage: "[sala] [n]",
        summary: "mostra as últimas mensagens da sala (padrão \(defaultHistory), máximo \(maxHistory))"
    ) { context in
        let usage = "/historico [sala] [n], com n de 1 a \(maxHistory)"
        var words = context.words(limit: 3)
        guard words.count <= 2 else { throw ChatError.invalidArgument(context.arguments, usage: usage) }
        var limit = defaultHistory
        if let last = words.last, let n = Int(last) {
            guard (1...maxHistory).contains(n) else { throw ChatError.invalidArgument(last, usage: usage) }
            limit = n
            words.removeLast()
        }
        guard words.count <= 1 else { throw ChatError.invalidArgument(context.arguments, usage: usage) }
        let reply = context.deferredReply(), chat = context.chat, caller = context.caller
        // The room, resolved now (the store may answer later): none when the
        // caller is in no room and named none, then only private messages.
        let room = words.first == nil && chat.roomName(of: caller) == nil
            ? nil : try chat.speakingRoomName(of: caller, named: words.first)
        try chat.history(caller, room: room, limit: limit) { messages in
            let items = messages.map { message in
                ChatEvent(kind: message.kind == .public ? .message : .privateMessage,
                          room: message.kind == .public ? message.room : nil, sender: message.sender,
                          target: message.recipient, text: message.text, time: message.time)
            }
            reply.send(text: Self.historyHeader(room: room, count: items.count), items: items)
        }
        return .deferred
    }

    static func historyHeader(room: String?, count: Int) -> String {
        let place = room.map { "de #\($0)" } ?? "das suas mensagens privadas"
        if count == 0 { return "Nenhuma mensagem no histórico \(place)." }
        return "Histórico \(place) (\(count) mensage\(count == 1 ? "m" : "ns")):"
    }
}
