import BotEngine
import ChatCore
import ChatStore
import Foundation
import Logging
import LuaBots
import NIOConcurrencyHelpers
import PropertyBased
import Testing

/// The whole bot engine (built-ins plus the shipped Lua bots) over random
/// lines from three users: every line a connected user sends gets exactly
/// one reply, refusals carry a known code, names stay unique, and nothing
/// crashes or hangs.
@Suite struct EngineFuzzTests {
    @Test func everyLineGetsOneAnswerAndTheChatStaysSound() async throws {
        await propertyCheck(count: Fuzz.count, input: Fuzz.line().array(of: 1...12), Gen.int(in: 0...2).array(of: 12)) {
            lines, speakers in
            let chat = try! FuzzChat()
            for (index, line) in lines.enumerated() {
                let who = speakers[index % speakers.count]
                let before = chat.outbox.replies(to: chat.endpoints[who])
                chat.engine.handle(line: line, from: chat.ids[who])
                chat.registry.waitUntilIdle()
                let answers = chat.outbox.replies(to: chat.endpoints[who]) - before
                #expect(answers == 1, "\(line.debugDescription) got \(answers) answers")
                for code in chat.outbox.errorCodes() { #expect(Self.knownCodes.contains(code), "\(code)") }
                chat.rejoinAnyoneWhoLeft()
                let names = chat.engine.withChat { $0.connectedUsers().map { $0.name.lowercased() } }
                #expect(Set(names).count == names.count)
            }
        }
    }

    static let knownCodes: Set<String> = [
        "name_empty", "name_too_long", "name_invalid", "name_reserved", "name_taken", "name_lookalike", "same_name",
        "room_name_invalid", "already_in_room", "banned", "message_empty", "message_too_long", "control_characters",
        "no_such_user", "cannot_target_self", "not_in_room", "not_moderator", "not_admin", "target_outranks",
        "not_banned", "wrong_password", "too_many_attempts", "admin_disabled", "already_admin", "unknown_command",
        "missing_argument", "invalid_argument", "not_connected", "bot_error", "blocked", "admin_locked_out",
        "name_registered", "password_too_short", "password_invalid", "already_identified", "not_identified",
        "no_such_account", "locked_out", "name_is_account", "not_owner", "already_moderator", "not_a_moderator",
        "default_room", "admin_by_account", "too_many_registrations", "looks_like_password",
        "no_room", "not_member", "too_many_rooms", "room_limit", "topic_too_long", "no_such_room", "too_many_new_rooms",
    ]
}

/// Three users on a chat with the shipped bots and an in-memory store.
final class FuzzChat {
    let outbox = CountingOutbox()
    let engine: ChatEngine
    let registry: BotRegistry
    let endpoints = [FuzzEndpoint(), FuzzEndpoint(), FuzzEndpoint()]
    private(set) var ids: [UserID] = []
    private let names = ["ana", "bia", "caio"]
    /// "segredo", hashed once at scrypt's cheapest allowed cost.
    static let password = PasswordHash.cheaplyStored("segredo")

    init() throws {
        let chat = try Chat(storage: MemoryStorage(), outbox: outbox)
        var logger = Logger(label: "papo-fuzz")
        logger.logLevel = .critical
        let bots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("bots")
        let host = try BotHost(chat: chat, bots: bots, adminPassword: Self.password, logger: logger,
                               checkPasswordsInPlace: true, passwordLogRounds: PasswordHash.cheapestLogRounds)
        host.loadBots()
        engine = host.engine
        registry = host.registry
        for (name, endpoint) in zip(names, endpoints) {
            ids.append(try engine.connect(name: name, endpoint: endpoint, address: nil).get().id)
        }
    }

    /// Brings back, under a fresh name, anyone a line disconnected (/sair,
    /// too many wrong /admin passwords), so later lines have a sender.
    func rejoinAnyoneWhoLeft() {
        for index in ids.indices where engine.withChat({ $0.name(of: ids[index]) }) == nil {
            let endpoint = endpoints[index]
            if case .success(let welcome) = engine.connect(name: "volta\(UInt16.random(in: 0...9999))",
                                                           endpoint: endpoint, address: nil) {
                ids[index] = welcome.id
            }
        }
    }
}

final class FuzzEndpoint: ChatEndpoint {}

/// Counts the replies each endpoint gets and keeps every error code.
final class CountingOutbox: Outbox, @unchecked Sendable {
    private let lock = NIOLock()
    private var replies: [ObjectIdentifier: Int] = [:]
    private var codes: Set<String> = []

    func deliver(_ item: Outgoing, to recipients: [any ChatEndpoint]) {
        guard case .reply(let reply) = item else { return }
        lock.withLock {
            for recipient in recipients { replies[ObjectIdentifier(recipient), default: 0] += 1 }
            if let error = reply.error { codes.insert(error.code) }
        }
    }

    func disconnect(_ endpoint: any ChatEndpoint) {}

    func replies(to endpoint: FuzzEndpoint) -> Int { lock.withLock { replies[ObjectIdentifier(endpoint)] ?? 0 } }
    func errorCodes() -> Set<String> { lock.withLock { codes } }
}
