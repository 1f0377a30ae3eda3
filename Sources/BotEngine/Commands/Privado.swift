import ChatCore

extension BuiltinCommands {
    /// `/privado nome texto`: only the recipient (and the sender's echo) sees it.
    static let privado = Command(
        name: "privado", aliases: ["msg", "pm"], usage: "<nome> <mensagem>",
        summary: "envia uma mensagem privada"
    ) { context in
        let parts = try context.required(2, usage: "/privado <nome> <mensagem>")
        try context.chat.whisper(context.caller, to: parts[0], parts[1])
        return .done
    }
}
