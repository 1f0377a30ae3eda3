import ChatCore

extension BuiltinCommands {
    /// `/entrar sala`: join a room (creating it if new; its creator
    /// moderates it, a guest only while connected, which the reply says)
    /// and make it the current one. The rooms joined before stay joined.
    static let entrar = Command(
        name: "entrar", aliases: ["join"], usage: "<sala>", summary: "entra numa sala (e a cria, se não existir) e fala nela"
    ) { context in
        let parts = try context.required(1, usage: "/entrar <sala>")
        let (room, outcome, topic) = try context.chat.join(context.caller, room: parts[0])
        let shownTopic = topic.map { "\nTópico de #\(room): \($0.text)" } ?? ""
        switch outcome {
        case .created:
            let rights = context.chat.account(of: context.caller) == nil
                ? " Como convidado, só enquanto estiver conectado: /registrar <senha> guarda o seu nome e as suas salas."
                : " Ela é da sua conta."
            return .reply("Sala #\(room) criada. Você é o moderador dela." + rights)
        case .joined:
            return .reply(shownTopic.isEmpty ? "" : String(shownTopic.dropFirst()))
        case .switched:
            return .reply("Agora você fala em #\(room)." + shownTopic)
        }
    }
}
