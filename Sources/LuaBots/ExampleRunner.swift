import ChatCore
import Foundation

/// `papo bots test`: runs what each script declares about itself against
/// in-memory chats, with no network. Per file: whether it loads, the
/// examples next to its commands (Sopel's `@example` idea), its
/// `papo.test{...}` scenarios, any mistake in those declarations, and
/// whether it still loads beside the folder's other files (a command name
/// two files claim).
public enum ExampleRunner {
    /// The outcome of one example, scenario or check.
    public struct Result: Sendable, Equatable {
        public var file: String
        /// What was run: `/dado 2d6`, `/reload (como admin)`, `teste: nome`.
        public var title: String
        /// nil when it passed; otherwise what went wrong.
        public var failure: String?
        public var passed: Bool { failure == nil }

        /// `✓ dado.lua /dado 2d6` or `✗ … — why`.
        public var line: String {
            let head = "\(file) \(title)"
            return failure.map { "✗ \(head) — \($0)" } ?? "✓ \(head)"
        }
    }

    /// Runs everything of every `*.lua` file in `directory`.
    public static func run(directory: URL) throws -> [Result] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".lua") }.sorted()
        var results = try files.flatMap { try run(file: $0, in: directory) }
        results += try together(files, in: directory, loadingAlone: Set(results.filter { $0.title == loadTitle }.map(\.file)))
        return results
    }

    static let loadTitle = "(carregar)"

    /// One file's examples and scenarios; each gets a fresh chat.
    static func run(file: String, in directory: URL) throws -> [Result] {
        let probe = try BotTestChat(file: file, directory: directory)
        if let error = probe.loadError {
            return [Result(file: file, title: loadTitle, failure: error)]
        }
        var results: [Result] = []
        let declared = probe.registry.loadedTests(of: file)
        for error in declared.errors {
            results.append(Result(file: file, title: "(declaração de teste)", failure: error))
        }
        for command in probe.registry.loadedCommands(of: file) {
            for example in command.examples {
                let who = example.caller == .user ? "" : " (como \(example.caller.rawValue))"
                let chat = try BotTestChat(file: file, directory: directory)
                results.append(Result(file: file, title: example.input + who, failure: check(example, in: chat)))
            }
        }
        for scenario in declared.tests {
            let chat = try BotTestChat(file: file, directory: directory)
            results.append(Result(file: file, title: "teste: \(scenario.name)",
                                  failure: ScenarioRunner(chat: chat, scenario: scenario).run()))
        }
        return results
    }

    /// Loads every file into one chat, as the server does: a file that
    /// loads alone but not beside the others (a command name or alias
    /// another file has) fails here.
    private static func together(_ files: [String], in directory: URL, loadingAlone failed: Set<String>) throws -> [Result] {
        guard files.count > 1 else { return [] }
        let chat = try BotTestChat(files: files, directory: directory)
        return chat.registry.statuses.compactMap { status in
            guard let error = status.error, !failed.contains(status.file) else { return nil }
            return Result(file: status.file, title: "(junto com os outros arquivos)", failure: error)
        }
    }

    /// nil when `example` holds in `chat`, else why not. The caller is
    /// `ana`, with `bia` and `caio` in #geral.
    private static func check(_ example: BotExample, in chat: BotTestChat) -> String? {
        do {
            for name in ["ana", "bia", "caio"] { try chat.connect(name) }
        } catch {
            return "não foi possível montar o chat: \(error)"
        }
        switch example.caller {
        case .user: break
        case .moderator: chat.send("/entrar testes", as: "ana")
        case .admin: chat.send("/admin exemplo", as: "ana")
        }
        chat.recorder.clear()
        let before = chat.failures.count
        chat.send(example.input, as: "ana")
        let failure = chat.failures.count > before ? chat.failures.last : nil
        guard let reply = chat.replies(to: "ana").last else { return "nenhuma resposta" + because(failure) }
        if let expected = example.error {
            return reply.error?.code == expected ? nil : "esperava o erro \(expected), veio \(describe(reply))"
        }
        if let error = reply.error {
            return "esperava sucesso, veio o erro \(error.code): \(error.message)" + because(failure)
        }
        if let output = example.output, reply.text != output {
            return "esperava \"\(output)\", veio \"\(reply.text)\""
        }
        if let pattern = example.matches {
            return ScenarioRunner.mismatch(reply.text, .pattern(pattern), in: chat)
        }
        return nil
    }

    /// ` (o script falhou: file:line: …)` for a failure, or nothing.
    static func because(_ failure: String?) -> String {
        failure.map { " (o script falhou: \($0))" } ?? ""
    }

    static func describe(_ reply: Reply) -> String {
        reply.error.map { "o erro \($0.code)" } ?? "sucesso: \"\(reply.text)\""
    }
}
