import ChatCore

extension BuiltinCommands {
    /// `/banir nome`: remove a user from the room and bar them from it.
    /// `/banir ba*`: bar every name the pattern fits (`*` any run of
    /// characters, `?` one) from joining; nobody is removed.
    static let banir = Command(
        name: "banir", aliases: ["ban"], usage: "<nome | padrão>",
        summary: "tira o usuário da sala e o impede de voltar", permission: .moderator
    ) { context in
        let parts = try context.required(1, usage: "/banir <nome | padrão>")
        if NamePattern.isPattern(parts[0]) {
            guard let room = context.chat.roomName(of: context.caller) else { throw ChatError.noRoom }
            try context.chat.banName(context.caller, name: parts[0], in: room)
            return .done
        }
        try context.chat.ban(context.caller, target: parts[0])
        return .done
    }
}
