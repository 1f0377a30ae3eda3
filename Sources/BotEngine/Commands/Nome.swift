import ChatCore

extension BuiltinCommands {
    /// `/nome novo_nome`: rename; names are unique, case-insensitively.
    static let nome = Command(
        name: "nome", aliases: ["nick"], usage: "<novo_nome>", summary: "muda o seu nome"
    ) { context in
        let usage = "/nome <novo_nome>"
        let parts = context.words(limit: 2)
        guard let name = parts.first else { throw ChatError.missingArgument(usage: usage) }
        guard parts.count == 1 else { throw ChatError.nameInvalid(context.arguments) }
        try context.chat.rename(context.caller, to: name)
        return .done
    }
}
