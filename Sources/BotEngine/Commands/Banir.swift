import ChatCore

extension BuiltinCommands {
    /// `/banir nome`: remove a user from the room and bar them from it.
    static let banir = Command(
        name: "banir", aliases: ["ban"], usage: "<nome>",
        summary: "tira o usuário da sala e o impede de voltar", permission: .moderator
    ) { context in
        let parts = try context.required(1, usage: "/banir <nome>")
        try context.chat.ban(context.caller, target: parts[0])
        return .done
    }
}
