import ArgumentParser

/// `papo`: the Papo chat server, its terminal client and its tools.
@main
struct Papo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "papo",
        abstract: "Papo: a terminal chat server whose every message goes through a bot engine.",
        subcommands: [Serve.self, Connect.self, Accounts.self, HashPassword.self, Bots.self, Bench.self],
        defaultSubcommand: nil
    )
}
