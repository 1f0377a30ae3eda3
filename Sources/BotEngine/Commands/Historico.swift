import ChatCore

extension BuiltinCommands {
    static let defaultHistory = 20
    static let maxHistory = 200

    /// `/historico [n]`: the last n messages of the room, plus the caller's
    /// own private messages. Answered once the store has read them.
    static let historico = Command(
        name: "historico", aliases: ["history"], usage: "[n]",
        summary: "mostra as últimas mensagens da sala (padrão \(defaultHistory), máximo \(maxHistory))"
    ) { context in
        let usage = "/historico [n]"
        var limit = defaultHistory
        if let word = context.words(limit: 2).first {
            guard let n = Int(word), (1...maxHistory).contains(n), context.words(limit: 2).count == 1 else {
                throw ChatError.invalidArgument(context.arguments, usage: usage)
            }
            limit = n
        }
        let room = context.chat.roomName(of: context.caller) ?? ""
        let reply = context.deferredReply()
        try context.chat.history(context.caller, limit: limit) { messages in
            let items = messages.map { message in
                ChatEvent(kind: message.kind == .public ? .message : .privateMessage,
                          room: message.kind == .public ? message.room : nil, sender: message.sender,
                          target: message.recipient, text: message.text, time: message.time)
            }
            let header = items.isEmpty
                ? "Nenhuma mensagem no histórico de #\(room)."
                : "Histórico de #\(room) (\(items.count) mensage\(items.count == 1 ? "m" : "ns")):"
            reply.send(text: header, items: items)
        }
        return .deferred
    }
}
