import ChatCore

extension BuiltinCommands {
    /// `/entrar sala`: join a room, creating it if new; its creator moderates it.
    static let entrar = Command(
        name: "entrar", aliases: ["join"], usage: "<sala>", summary: "entra numa sala (e a cria, se não existir)"
    ) { context in
        let parts = try context.required(1, usage: "/entrar <sala>")
        let (room, created) = try context.chat.join(context.caller, room: parts[0])
        return .reply(created ? "Sala #\(room) criada. Você é o moderador dela." : "")
    }
}
