import BotEngine
import ChatCore
import ChatStore
import Foundation
import Logging
import LuaBots

/// Captures what the engine sends, per endpoint.
final class CapturingOutbox: Outbox, @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ObjectIdentifier: [Outgoing]] = [:]

    func deliver(_ item: Outgoing, to recipients: [any ChatEndpoint]) {
        lock.withLock { for r in recipients { items[ObjectIdentifier(r), default: []].append(item) } }
    }

    func disconnect(_ endpoint: any ChatEndpoint) {}

    /// Texts of the public messages `endpoint` received.
    func messages(to endpoint: any ChatEndpoint) -> [String] {
        lock.withLock {
            (items[ObjectIdentifier(endpoint)] ?? []).compactMap {
                if case .event(let e) = $0, e.kind == .message { return e.text } else { return nil }
            }
        }
    }

    /// Texts of the private messages `endpoint` received.
    func privateTexts(to endpoint: any ChatEndpoint) -> [String] {
        lock.withLock {
            (items[ObjectIdentifier(endpoint)] ?? []).compactMap {
                if case .event(let e) = $0, e.kind == .privateMessage { return e.text } else { return nil }
            }
        }
    }

    func replies(to endpoint: any ChatEndpoint) -> [Reply] {
        lock.withLock {
            (items[ObjectIdentifier(endpoint)] ?? []).compactMap { if case .reply(let r) = $0 { return r } else { return nil } }
        }
    }
}

final class Person: ChatEndpoint, @unchecked Sendable {}

/// A chat with a bots folder of its own, an admin `ana` and a user `bia`.
final class BotHarness {
    let directory: URL
    let outbox = CapturingOutbox()
    let engine: ChatEngine
    let registry: BotRegistry
    let ana = Person(), bia = Person()
    let anaID: UserID, biaID: UserID

    let storage: any ChatStorage

    init(files: [String: String] = [:], storage: any ChatStorage = MemoryStorage(),
         botCPU: BotCPULimits = BotCPULimits(), logger: Logger = Logger(label: "papo.bots")) throws {
        self.storage = storage
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("papo-bots-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let chat = try Chat(storage: storage, outbox: outbox)
        let host = try BotHost(chat: chat, bots: directory, adminPassword: Self.password, logger: logger,
                               checkPasswordsInPlace: true, botCPU: botCPU,
                               passwordLogRounds: PasswordHash.cheapestLogRounds)
        (engine, registry) = (host.engine, host.registry)
        anaID = try engine.connect(name: "ana", endpoint: ana, address: nil).get().id
        biaID = try engine.connect(name: "bia", endpoint: bia, address: nil).get().id
        for (name, source) in files { try write(name, source) }
        // Loaded after ana and bia connect, so join hooks do not see them arrive.
        host.loadBots()
        engine.handle(line: "/admin segredo", from: anaID)
        registry.waitUntilIdle()
    }

    /// "segredo", hashed once at scrypt's cheapest allowed cost.
    static let password = PasswordHash.cheaplyStored("segredo")

    /// The folder of the bots shipped in the repository.
    static let shippedFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../bots").standardized

    /// The source of a shipped bot.
    static func shipped(_ file: String) throws -> String {
        try String(contentsOf: shippedFolder.appendingPathComponent(file), encoding: .utf8)
    }

    func write(_ file: String, _ source: String) throws {
        try source.write(to: directory.appendingPathComponent(file), atomically: true, encoding: .utf8)
    }

    func delete(_ file: String) throws {
        try FileManager.default.removeItem(at: directory.appendingPathComponent(file))
    }

    /// Sends `line` as `who` and returns the reply it got, once the bots
    /// have done all the work it caused (scripts answer off the chat's lock).
    func send(_ line: String, as who: Person? = nil) -> Reply? {
        let person = who ?? bia
        engine.handle(line: line, from: person === ana ? anaID : biaID)
        registry.waitUntilIdle()
        return outbox.replies(to: person).last
    }
}

/// Keeps every log message, for tests that count what was logged.
final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var messages: [String] { lock.withLock { lines } }

    var logger: Logger {
        Logger(label: "papo.test") { _ in Handler(log: self) }
    }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let text = "\(event.message) " + all.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            log.lock.withLock { log.lines.append(text) }
        }
    }
}
