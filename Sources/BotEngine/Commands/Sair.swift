import ChatCore

extension BuiltinCommands {
    /// `/sair [motivo]`: leave the server; the room is told.
    static let sair = Command(
        name: "sair", aliases: ["quit"], usage: "[motivo]", summary: "desconecta do chat"
    ) { context in
        let reason = context.arguments.isEmpty ? nil : try NameRules.messageText(context.arguments).get()
        return .quit(reply: "Até logo!", reason: reason)
    }
}
