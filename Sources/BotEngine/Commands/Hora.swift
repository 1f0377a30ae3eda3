import ChatCore

extension BuiltinCommands {
    /// `/hora`: the server's date and time.
    static let hora = Command(name: "hora", aliases: ["time"], summary: "mostra a data e a hora do servidor") { context in
        .reply("Agora é \(TimeFormat.long(context.chat.now)).")
    }
}
