import ArgumentParser
import Foundation
import LuaBots

/// `papo bots`: tools for Lua bot authors.
struct Bots: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tools for Lua bots.", subcommands: [BotsTest.self])
}

/// `papo bots test [DIR]`: runs the examples written next to each command.
struct BotsTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Run the examples declared next to each bot command, with no network.")

    @Argument(help: "Folder of the bots.")
    var directory = "./bots"

    func run() throws {
        let results = try ExampleRunner.run(directory: URL(fileURLWithPath: directory))
        for result in results { print(result.line) }
        let failed = results.filter { !$0.passed }.count
        print("\(results.count - failed) passed, \(failed) failed")
        if failed > 0 || results.isEmpty { throw ExitCode.failure }
    }
}
