import BotEngine
import ChatCore
import ChatStore
import Foundation
import Testing

// MARK: - Fakes

/// A pretend connection: the core only needs an object identity to deliver to.
final class TestEndpoint: ChatEndpoint, CustomStringConvertible {
    let name: String
    init(_ name: String) { self.name = name }
    var description: String { "<\(name)>" }
}

/// Records, per endpoint and in order, everything the core delivered and
/// every disconnect it asked for.
final class RecordingOutbox: Outbox, @unchecked Sendable {
    enum Entry: Equatable {
        case item(Outgoing)
        case disconnected

        var reply: Reply? {
            if case .item(.reply(let reply)) = self { return reply }
            return nil
        }

        var event: ChatEvent? {
            if case .item(.event(let event)) = self { return event }
            return nil
        }
    }

    private let lock = NSLock()
    private var log: [ObjectIdentifier: [Entry]] = [:]

    func deliver(_ item: Outgoing, to recipients: [any ChatEndpoint]) {
        lock.withLock {
            for recipient in recipients {
                log[ObjectIdentifier(recipient), default: []].append(.item(item))
            }
        }
    }

    func disconnect(_ endpoint: any ChatEndpoint) {
        lock.withLock {
            log[ObjectIdentifier(endpoint), default: []].append(.disconnected)
        }
    }

    /// Forgets everything recorded so far (used between setup and the action under test).
    func clear() {
        lock.withLock { log.removeAll() }
    }

    func entries(for endpoint: TestEndpoint) -> [Entry] {
        lock.withLock { log[ObjectIdentifier(endpoint)] ?? [] }
    }

    func events(for endpoint: TestEndpoint) -> [ChatEvent] {
        entries(for: endpoint).compactMap(\.event)
    }

    func replies(for endpoint: TestEndpoint) -> [Reply] {
        entries(for: endpoint).compactMap(\.reply)
    }

    func wasDisconnected(_ endpoint: TestEndpoint) -> Bool {
        entries(for: endpoint).contains(.disconnected)
    }
}

/// A clock that only moves when told to.
final class ManualClock: @unchecked Sendable {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    private let lock = NSLock()
    private var current = ManualClock.start

    var now: Date { lock.withLock { current } }

    func advance(by seconds: TimeInterval) {
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }
}

// MARK: - Harness

/// A chat with an in-memory store, a recording outbox and a manual clock,
/// driven through `ChatEngine` exactly as the server drives it. Users are
/// addressed by a *handle*: the name they connected with (a later `/nome`
/// does not change the handle).
final class ChatHarness {
    let outbox: RecordingOutbox
    let clock: ManualClock
    let storage: MemoryStorage
    let engine: ChatEngine
    /// Every handle ever connected, in order.
    private(set) var handles: [String] = []
    private var ids: [String: UserID] = [:]
    private var endpoints: [String: TestEndpoint] = [:]

    init(adminPassword: String? = "segredo", state: PersistedState = PersistedState(),
         limits: RoomLimits = RoomLimits()) throws {
        let outbox = RecordingOutbox()
        let clock = ManualClock()
        let storage = MemoryStorage(state: state)
        let chat = try Chat(storage: storage, outbox: outbox, limits: limits, clock: { clock.now })
        self.outbox = outbox
        self.clock = clock
        self.storage = storage
        // Stored hashed, as papo serve keeps it, and checked in place so each
        // row's reply is there when the row looks.
        self.engine = ChatEngine(chat: chat, adminPassword: adminPassword.map(TestPassword.stored),
                                 checkPasswordsInPlace: true, passwordLogRounds: 10)
    }

    /// Connects `name` (also its handle); throws the `ChatError` if refused.
    @discardableResult
    func connect(_ name: String, address: String? = nil) throws -> UserID {
        try connectResult(name, address: address).get().id
    }

    /// Tries to connect `name`; on success the handle `name` now means this
    /// new connection. A registered name connects with `password`, by
    /// default its account's test password (`TestAccounts`).
    func connectResult(_ name: String, address: String? = nil, password: String? = nil) -> Result<Welcome, ChatError> {
        let endpoint = TestEndpoint(name)
        let registered = engine.withChat { $0.account(named: name) != nil }
        let result: Result<Welcome, ChatError>
        if registered || password != nil {
            // Checked in place: the completion has run when connect returns.
            let box = ResultBox()
            engine.connect(name: name, password: password ?? TestAccounts.password(name), endpoint: endpoint,
                           address: address, welcomed: { _ in }, completion: { box.result = $0 })
            result = box.result ?? .failure(.notConnected)
        } else {
            result = engine.connect(name: name, endpoint: endpoint, address: address)
        }
        if case .success(let welcome) = result {
            if !handles.contains(name) { handles.append(name) }
            ids[name] = welcome.id
            endpoints[name] = endpoint
        }
        return result
    }

    final class ResultBox: @unchecked Sendable { var result: Result<Welcome, ChatError>? }

    func id(_ handle: String) -> UserID? { ids[handle] }

    func endpoint(_ handle: String) -> TestEndpoint? { endpoints[handle] }

    /// Sends `line` as `handle` and returns the reply it got (nil when none:
    /// the user is not connected).
    @discardableResult
    func run(_ handle: String, _ line: String, requestID: String? = nil) -> Reply? {
        guard let id = ids[handle], let endpoint = endpoints[handle] else {
            Issue.record("unknown user handle \(handle)")
            return nil
        }
        let before = outbox.entries(for: endpoint).count
        engine.handle(line: line, from: id, requestID: requestID)
        return outbox.entries(for: endpoint).dropFirst(before).compactMap(\.reply).last
    }

    /// Runs setup steps:
    /// - `"ana> /entrar dev"`: ana sends the line, which must succeed;
    /// - `"ana!> /entrar dev"`: ana sends the line, which must fail;
    /// - `"+zeca"` or `"+zeca@10.0.0.9"`: connect a user (handle `zeca`),
    ///   with the account's password if the name is registered;
    /// - `"~90"`: the clock moves 90 seconds on.
    func perform(_ steps: [String]) throws {
        for step in steps {
            if step.hasPrefix("~") {
                guard let seconds = TimeInterval(String(step.dropFirst())) else {
                    Issue.record("unreadable clock step \(step)")
                    continue
                }
                clock.advance(by: seconds)
            } else if step.hasPrefix("+") {
                let spec = step.dropFirst().split(separator: "@", maxSplits: 1).map(String.init)
                try connect(spec[0], address: spec.count > 1 ? spec[1] : nil)
            } else if let arrow = step.range(of: "> ") {
                var who = String(step[..<arrow.lowerBound])
                let line = String(step[arrow.upperBound...])
                let mustFail = who.hasSuffix("!")
                if mustFail { who.removeLast() }
                let reply = run(who, line)
                if mustFail {
                    if reply?.error == nil { Issue.record("setup step should have failed: \(step)") }
                } else if reply == nil || reply?.error != nil {
                    Issue.record("setup step failed: \(step) → \(String(describing: reply?.error))")
                }
            } else {
                Issue.record("unreadable setup step \(step)")
            }
        }
    }

    // MARK: Looking

    func events(_ handle: String) -> [ChatEvent] {
        guard let endpoint = endpoints[handle] else { return [] }
        return outbox.events(for: endpoint)
    }

    /// The kinds of the events a user received, without `current` (which
    /// only tells a client where the user speaks; `rooms:` checks that).
    func kinds(_ handle: String) -> [ChatEvent.Kind] {
        events(handle).map(\.kind).filter { $0 != .current }
    }

    /// The rooms the user is in, oldest joined first.
    func joined(_ handle: String) -> [String] {
        guard let id = ids[handle] else { return [] }
        return engine.withChat { $0.roomNames(of: id) }
    }

    func wasDisconnected(_ handle: String) -> Bool {
        guard let endpoint = endpoints[handle] else { return false }
        return outbox.wasDisconnected(endpoint)
    }

    /// The room the user is in, or nil when they are no longer connected.
    func room(of handle: String) -> String? {
        guard let id = ids[handle] else { return nil }
        return engine.withChat { $0.roomName(of: id) }
    }

    func role(of handle: String) -> Role? {
        guard let id = ids[handle] else { return nil }
        return engine.withChat { $0.role(of: id) }
    }

    func name(of handle: String) -> String? {
        guard let id = ids[handle] else { return nil }
        return engine.withChat { $0.name(of: id) }
    }

    /// Names of the connected users, sorted case-insensitively.
    func connectedNames() -> [String] {
        engine.withChat { $0.connectedUsers().map(\.name) }
    }
}

// MARK: - Table rows

/// What the caller's reply must look like.
enum ReplyCheck: Sendable, CustomStringConvertible {
    /// Success, whatever the text.
    case ok
    /// Success with exactly this text.
    case text(String)
    /// Success; the text holds every one of these.
    case contains([String])
    /// Success; the text holds every one of the first and none of the second.
    case containsExcluding([String], [String])
    /// Refused with exactly this error.
    case fails(ChatError)
    /// Refused with this error code (when the error's payload is not the point).
    case failsWithCode(String)

    var description: String {
        switch self {
        case .ok: return "ok"
        case .text(let text): return "ok \(text.debugDescription)"
        case .contains: return "ok (containing)"
        case .containsExcluding: return "ok (containing/excluding)"
        case .fails(let error): return error.code
        case .failsWithCode(let code): return code
        }
    }

    func check(_ reply: Reply) {
        switch self {
        case .ok:
            #expect(reply.error == nil)
        case .text(let text):
            #expect(reply.error == nil)
            #expect(reply.text == text)
        case .contains(let parts):
            #expect(reply.error == nil)
            for part in parts {
                #expect(reply.text.contains(part), "reply should contain \(part.debugDescription)")
            }
        case .containsExcluding(let parts, let absent):
            #expect(reply.error == nil)
            for part in parts {
                #expect(reply.text.contains(part), "reply should contain \(part.debugDescription)")
            }
            for part in absent {
                #expect(!reply.text.contains(part), "reply should not contain \(part.debugDescription)")
            }
        case .fails(let error):
            #expect(reply.error == error)
            #expect(reply.error?.code == error.code)
            #expect(reply.text.isEmpty)
        case .failsWithCode(let code):
            #expect(reply.error?.code == code)
        }
    }
}

/// One event that a user must have received (nil fields are not checked).
struct EventCheck: Sendable, CustomStringConvertible {
    var to: String
    var kind: ChatEvent.Kind
    var room: String? = nil
    var sender: String? = nil
    var target: String? = nil
    var text: String? = nil
    /// When set, whether the message is a notice.
    var notice: Bool? = nil

    func matches(_ event: ChatEvent) -> Bool {
        event.kind == kind
            && (notice == nil || event.notice == notice)
            && (room == nil || event.room == room)
            && (sender == nil || event.sender == sender)
            && (target == nil || event.target == target)
            && (text == nil || event.text == text)
    }

    var description: String {
        "\(kind.rawValue) room=\(room ?? "*") sender=\(sender ?? "*") target=\(target ?? "*") text=\(text ?? "*")"
    }
}

/// One row of a command table. Properties are in memberwise-init order.
struct CommandCase: Sendable, CustomTestStringConvertible {
    /// What the row shows, for test reports.
    var name: String
    /// Connected first, in this order, all in #geral.
    var users: [String] = ["ana", "bia", "caio"]
    var addresses: [String: String] = [:]
    var adminPassword: String? = "segredo"
    /// What the store holds when the chat starts.
    var state: PersistedState = PersistedState()
    /// Steps run before the action (see `ChatHarness.perform`); what they
    /// deliver is forgotten.
    var setup: [String] = []
    var caller: String = "ana"
    var line: String
    var reply: ReplyCheck
    /// Exactly the event kinds each user receives, in order, because of the
    /// line. Users not listed must receive no event at all.
    var events: [String: [ChatEvent.Kind]] = [:]
    /// Events some users must have received, checked field by field.
    var details: [EventCheck] = []
    /// Exactly the users whose connection the core closed.
    var disconnects: [String] = []
    /// The room each listed user is in afterwards.
    var rooms: [String: String] = [:]
    /// Users who must no longer be connected.
    var offline: [String] = []
    /// The role each listed user has in their room afterwards.
    var roles: [String: Role] = [:]
    /// Connected users' names afterwards, as `connectedUsers()` sorts them.
    var names: [String]? = nil
    /// The texts of the reply's items, in order.
    var items: [String]? = nil
    /// The rooms each listed user is in afterwards, oldest joined first.
    var joined: [String: [String]] = [:]

    var testDescription: String {
        "\(name) — \(caller): \(line.debugDescription) → \(reply)"
    }

    /// Builds the chat, runs the setup, sends the line and checks everything.
    func verify() throws {
        let h = try ChatHarness(adminPassword: adminPassword, state: state)
        for user in users {
            try h.connect(user, address: addresses[user])
        }
        try h.perform(setup)
        h.outbox.clear()

        let got = try #require(h.run(caller, line), "\(caller) got no reply to \(line.debugDescription)")
        reply.check(got)

        for handle in events.keys where h.endpoint(handle) == nil {
            Issue.record("the table names an unknown user \(handle)")
        }
        for handle in h.handles {
            #expect(h.kinds(handle) == events[handle, default: []], "events delivered to \(handle)")
        }
        for check in details {
            #expect(h.events(check.to).contains(where: check.matches), "\(check.to) should receive \(check)")
        }
        let closed = h.handles.filter { h.wasDisconnected($0) }
        #expect(Set(closed) == Set(disconnects), "disconnected connections")
        for (handle, room) in rooms {
            #expect(h.room(of: handle) == room, "room of \(handle)")
        }
        for handle in offline {
            #expect(h.room(of: handle) == nil, "\(handle) should be off the server")
        }
        for (handle, role) in roles {
            #expect(h.role(of: handle) == role, "role of \(handle)")
        }
        if let names {
            #expect(h.connectedNames() == names)
        }
        if let items {
            #expect(got.items.map { $0.text ?? "" } == items)
        }
        for (handle, rooms) in joined {
            #expect(h.joined(handle) == rooms, "rooms of \(handle)")
        }
    }
}

/// Accounts for table rows: `record("ana")` is account `acc-ana`, whose
/// password is `password("ana")`.
enum TestAccounts {
    static func password(_ name: String) -> String { "senha-de-\(name.lowercased())" }

    static func record(_ name: String, admin: Bool = false) -> AccountRecord {
        AccountRecord(id: id(name), name: name, credential: TestPassword.stored(password(name)),
                      createdAt: ManualClock.start, isAdmin: admin)
    }

    static func id(_ name: String) -> String { "acc-\(name.lowercased())" }
}

/// Admin passwords hashed once per test process, with scrypt's cheapest
/// allowed cost so hundreds of rows stay fast.
enum TestPassword {
    private static let cache = NSLock()
    nonisolated(unsafe) private static var hashed: [String: String] = [:]

    static func stored(_ password: String) -> String {
        guard !password.isEmpty else { return password }
        return cache.withLock {
            if let known = hashed[password] { return known }
            let form = PasswordHash.cheaplyStored(password)
            hashed[password] = form
            return form
        }
    }
}
