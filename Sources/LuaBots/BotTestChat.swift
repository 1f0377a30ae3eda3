import BotEngine
import ChatCore
import ChatStore
import Foundation
import Logging

/// An in-memory chat with one script loaded, named users and a virtual
/// clock, that records everything delivered: where `papo bots test` runs a
/// command's examples and a script's scenarios. No network, no disk but a
/// temporary copy of the script.
final class BotTestChat {
    /// Hashed once, at scrypt's cheapest allowed cost: tests make many
    /// chats and the password only has to work.
    static let adminPassword = PasswordHash.cheaplyStored("exemplo")
    static let accountPassword = "senha-de-teste"

    let recorder = Recorder()
    let clock = VirtualClock()
    let host: BotHost
    var engine: ChatEngine { host.engine }
    var registry: BotRegistry { host.registry }
    let file: String
    /// A folder holding only this script, so /reload sees it alone.
    private let folder: URL
    private(set) var users: [String: (id: UserID, endpoint: Endpoint)] = [:]

    convenience init(file: String, directory: URL) throws {
        try self.init(files: [file], directory: directory)
    }

    /// A chat with `files` (of `directory`) loaded; `file` is the first.
    init(files: [String], directory: URL) throws {
        file = files[0]
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("papo-bot-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in files {
            try FileManager.default.copyItem(at: directory.appendingPathComponent(file),
                                             to: folder.appendingPathComponent(file))
            // The bot's data folder (bots/quiz/ beside bots/quiz.lua), if it has one.
            let data = String(file.dropLast(4))
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent(data).path, isDirectory: &isFolder),
               isFolder.boolValue {
                try FileManager.default.copyItem(at: directory.appendingPathComponent(data), to: folder.appendingPathComponent(data))
            }
        }
        let clock = self.clock
        let chat = try Chat(storage: MemoryStorage(), outbox: recorder, clock: { clock.now })
        var quiet = Logger(label: "papo.bots.tests")
        quiet.logLevel = .critical
        host = try BotHost(chat: chat, bots: folder, adminPassword: Self.adminPassword, logger: quiet,
                           checkPasswordsInPlace: true, passwordLogRounds: PasswordHash.cheapestLogRounds,
                           clock: clock)
        host.loadBots()
        registry.waitUntilIdle()
    }

    deinit {
        registry.unloadAll()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Why the script did not load, if it did not.
    var loadError: String? { registry.statuses.first { $0.file == file }?.error }

    /// Connects `name` into #geral; an `account` registers it, an `admin` becomes one.
    @discardableResult
    func connect(_ name: String, account: Bool = false, admin: Bool = false) throws -> UserID {
        let endpoint = Endpoint()
        let id: UserID
        if engine.withChat({ $0.account(named: name) != nil }) {
            // A registered name (it registered earlier in the scenario) logs in with its password.
            final class Box: @unchecked Sendable { var result: Result<Welcome, ChatError>? }
            let box = Box()
            engine.connect(name: name, password: Self.accountPassword, endpoint: endpoint, address: nil,
                           welcomed: { _ in }, completion: { box.result = $0 })
            id = try (box.result ?? .failure(.notConnected)).get().id
        } else {
            id = try engine.connect(name: name, endpoint: endpoint, address: nil).get().id
        }
        users[name.lowercased()] = (id, endpoint)
        if account { engine.handle(line: "/registrar \(Self.accountPassword)", from: id) }
        if admin { engine.handle(line: "/admin exemplo", from: id) }
        registry.waitUntilIdle()
        return id
    }

    func disconnect(_ name: String) {
        guard let user = users.removeValue(forKey: name.lowercased()) else { return }
        engine.disconnect(user.id)
        registry.waitUntilIdle()
    }

    /// `name` types `line`; returns when every script is idle again.
    func send(_ line: String, as name: String) {
        guard let user = users[name.lowercased()] else { return }
        engine.handle(line: line, from: user.id)
        registry.waitUntilIdle()
    }

    /// Moves the virtual clock on, running the timers that come due; false
    /// if timers kept arming timers past any reason.
    func advance(by seconds: Double) -> Bool {
        clock.advance(by: seconds) { registry.waitUntilIdle() }
    }

    func reload() {
        host.loadBots()
        registry.waitUntilIdle()
    }

    /// The script's failures so far, and the last one (with file:line).
    var failures: (count: Int, last: String?) {
        let status = registry.statuses.first { $0.file == file }
        return (status?.failures ?? 0, status?.lastFailure)
    }

    func replies(to name: String) -> [Reply] {
        users[name.lowercased()].map { recorder.replies(to: $0.endpoint) } ?? []
    }

    /// True when `text` matches the Lua `pattern`, run in the script's
    /// state; throws for an invalid pattern.
    func matches(_ text: String, _ pattern: String) throws -> Bool {
        try registry.matches(text, pattern: pattern, file: file)
    }

    final class Endpoint: ChatEndpoint, @unchecked Sendable {}

    /// Keeps each endpoint's replies, and each event once per emission
    /// (whoever received it).
    final class Recorder: Outbox, @unchecked Sendable {
        private let lock = NSLock()
        private var replies: [ObjectIdentifier: [Reply]] = [:]
        private var emitted: [ChatEvent] = []

        func deliver(_ item: Outgoing, to recipients: [any ChatEndpoint]) {
            lock.withLock {
                switch item {
                case .reply(let reply):
                    for r in recipients { replies[ObjectIdentifier(r), default: []].append(reply) }
                case .event(let event):
                    if emitted.count < 10_000 { emitted.append(event) }
                }
            }
        }

        func disconnect(_ endpoint: any ChatEndpoint) {}

        func replies(to endpoint: any ChatEndpoint) -> [Reply] {
            lock.withLock { replies[ObjectIdentifier(endpoint)] ?? [] }
        }

        var events: [ChatEvent] { lock.withLock { emitted } }

        func clear() {
            lock.withLock {
                replies.removeAll()
                emitted.removeAll()
            }
        }
    }
}
