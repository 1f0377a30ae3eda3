extension BuiltinCommands {
    /// `/ping`: the bot answers `pong`.
    static let ping = Command(name: "ping", summary: "testa a conexão: o bot responde pong") { _ in
        .reply("pong")
    }
}
