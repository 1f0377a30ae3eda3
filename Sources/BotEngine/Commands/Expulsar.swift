import ChatCore

extension BuiltinCommands {
    /// `/expulsar nome`: remove a user from the room; they may come back.
    static let expulsar = Command(
        name: "expulsar", aliases: ["kick"], usage: "<nome>",
        summary: "tira o usuário da sala (de #geral: desconecta); ele pode voltar", permission: .moderator
    ) { context in
        let parts = try context.required(1, usage: "/expulsar <nome>")
        try context.chat.kick(context.caller, target: parts[0])
        return .done
    }
}
