import BotEngine
import ChatCore
import ChatStore
import Foundation
import Logging

/// Runs the examples declared next to each script's commands against an
/// in-memory chat, with no network: Sopel's `@example` idea, for Lua bots.
public enum ExampleRunner {
    /// The outcome of one example.
    public struct Result: Sendable, Equatable {
        public var file: String
        public var command: String
        public var example: BotExample
        /// nil when it passed; otherwise what went wrong.
        public var failure: String?
        public var passed: Bool { failure == nil }

        /// `✓ dado.lua /dado 2d6` or `✗ … — why`.
        public var line: String {
            let who = example.caller == .user ? "" : " (como \(example.caller.rawValue))"
            let head = "\(file) \(example.input)\(who)"
            return failure.map { "✗ \(head) — \($0)" } ?? "✓ \(head)"
        }
    }

    /// Runs every example of every `*.lua` file in `directory`. A file that
    /// does not load counts as one failure.
    public static func run(directory: URL) throws -> [Result] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".lua") }.sorted()
        return try files.flatMap { try run(file: $0, in: directory) }
    }

    /// Runs one file's examples; each example gets a fresh chat.
    static func run(file: String, in directory: URL) throws -> [Result] {
        let probe = try Sandbox(file: file, directory: directory)
        if let error = probe.registry.statuses.first?.error {
            return [Result(file: file, command: "", example: BotExample(input: "(carregar)", caller: .user),
                           failure: error)]
        }
        var results: [Result] = []
        for command in probe.registry.loadedCommands(of: file) {
            for example in command.examples {
                let sandbox = try Sandbox(file: file, directory: directory)
                results.append(Result(file: file, command: command.name, example: example,
                                      failure: sandbox.check(example)))
            }
        }
        return results
    }

    /// A chat with one script loaded and three users in #geral: the caller
    /// `ana`, and `bia` and `caio`.
    private final class Sandbox {
        /// Hashed once, at scrypt's cheapest allowed cost: examples run
        /// many sandboxes and the password only has to work.
        static let examplePassword = PasswordHash.cheaplyStored("exemplo")

        let outbox = ReplyRecorder()
        let engine: ChatEngine
        let registry: BotRegistry
        let caller = Endpoint()
        let callerID: UserID
        let file: String
        /// A folder holding only this script, so /reload in an example sees it alone.
        let single: URL

        init(file: String, directory: URL) throws {
            self.file = file
            single = FileManager.default.temporaryDirectory.appendingPathComponent("papo-example-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: single, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: directory.appendingPathComponent(file),
                                             to: single.appendingPathComponent(file))
            let storage = MemoryStorage()
            let chat = try Chat(storage: storage, outbox: outbox)
            var quiet = Logger(label: "papo.bots.examples")
            quiet.logLevel = .critical
            let host = try BotHost(chat: chat, bots: single, adminPassword: Self.examplePassword, logger: quiet,
                                   checkPasswordsInPlace: true)
            (engine, registry) = (host.engine, host.registry)
            host.loadBots()
            let engine = self.engine, caller = self.caller
            callerID = try engine.connect(name: "ana", endpoint: caller, address: nil).get().id
            for name in ["bia", "caio"] { _ = engine.connect(name: name, endpoint: Endpoint(), address: nil) }
        }

        deinit {
            registry.unloadAll()
            try? FileManager.default.removeItem(at: single)
        }

        /// nil when `example` holds, else why not.
        func check(_ example: BotExample) -> String? {
            switch example.caller {
            case .user: break
            case .moderator: engine.handle(line: "/entrar testes", from: callerID)
            case .admin: engine.handle(line: "/admin exemplo", from: callerID)
            }
            registry.waitUntilIdle()
            outbox.clear()
            engine.handle(line: example.input, from: callerID)
            registry.waitUntilIdle()
            guard let reply = outbox.replies(to: caller).last else { return "nenhuma resposta" }
            if let expected = example.error {
                return reply.error?.code == expected ? nil : "esperava o erro \(expected), veio \(describe(reply))"
            }
            if let error = reply.error { return "esperava sucesso, veio o erro \(error.code): \(error.message)" }
            if let output = example.output, reply.text != output {
                return "esperava \"\(output)\", veio \"\(reply.text)\""
            }
            if let pattern = example.matches {
                let matched = try? registry.matches(reply.text, pattern: pattern, file: file)
                if matched != true { return "\"\(reply.text)\" não casa com o padrão \"\(pattern)\"" }
            }
            return nil
        }

        private func describe(_ reply: Reply) -> String {
            reply.error.map { "o erro \($0.code)" } ?? "sucesso: \"\(reply.text)\""
        }
    }

    private final class Endpoint: ChatEndpoint, @unchecked Sendable {}

    /// Keeps the replies sent to each endpoint.
    private final class ReplyRecorder: Outbox, @unchecked Sendable {
        private let lock = NSLock()
        private var replies: [ObjectIdentifier: [Reply]] = [:]

        func deliver(_ item: Outgoing, to recipients: [any ChatEndpoint]) {
            guard case .reply(let reply) = item else { return }
            lock.withLock { for r in recipients { replies[ObjectIdentifier(r), default: []].append(reply) } }
        }

        func disconnect(_ endpoint: any ChatEndpoint) {}

        func replies(to endpoint: any ChatEndpoint) -> [Reply] {
            lock.withLock { replies[ObjectIdentifier(endpoint)] ?? [] }
        }

        func clear() { lock.withLock { replies.removeAll() } }
    }
}
