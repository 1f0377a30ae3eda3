import ChatCore
import Foundation
import Logging

/// The bot engine: the one serial owner of the chat. Every line a user sends
/// comes here; a `/command` is looked up in the command table and run, any
/// other line is said in the user's room. Safe to call from any thread.
public final class ChatEngine: @unchecked Sendable {
    private let lock = NSLock()
    let chat: Chat
    public let table: CommandTable
    public let hooks: HookTable
    let adminCredential: PasswordHash?
    let logger: Logger
    /// Wrong passwords (`/admin`, `/identificar`, `/senha`) per connection;
    /// the third one disconnects.
    var failedPasswords: [UserID: Int] = [:]
    /// Wrong `/admin` passwords per address; five in a row lock it out.
    var adminLockout = PasswordLockout.adminByAddress()
    /// Wrong account passwords per address and per name (LoginLockouts.swift).
    var loginLockouts = LoginLockouts()
    /// New accounts per address: 10 an hour, so nobody registers names
    /// (and their look-alikes) by the thousand.
    var registrations = HourlyBudget(perHour: 10)
    /// Password checks and hashes run here, one at a time (scrypt takes
    /// 16 MiB), off the chat's lock and the event loops; nil runs them in
    /// place (tests).
    let passwordChecks: DispatchQueue?
    var passwordSlots = PasswordQueueSlots()
    /// The scrypt cost (log2 N) of new account passwords.
    public let passwordLogRounds: Int
    /// Checked instead when `/identificar` names no account, so that the
    /// answer takes as long as for a wrong password. Made on first use, on
    /// the password queue (or, in place, by the caller): only one of them
    /// ever touches it.
    lazy var decoyCredential: PasswordHash = {
        // Cannot fail: the cost is one `PasswordHash` accepts.
        try! PasswordHash.hashing(AccountRecord.newID(), logRounds: passwordLogRounds)
    }()
    /// Users whose lines wait for one handled off the lock (LinePipeline.swift).
    var pipelines: [UserID: UserPipeline] = [:]
    /// How long a message waits for one message hook before it goes on
    /// without that hook's decision, as if the hook had failed.
    public var hookDeadline: TimeInterval = 0.1
    static let hookTimers = DispatchQueue(label: "papo.hook-deadlines")
    let hookTimeouts = HookTimeoutLog()

    /// - Parameters:
    ///   - adminPassword: what `/admin` must be given, as `papo hash-password`
    ///     stores it or in plain text (hashed here); nil or empty disables it.
    ///     An invalid stored hash disables it too: `papo serve` checks it first.
    ///   - checkPasswordsInPlace: check passwords synchronously (for
    ///     table-driven tests); the server checks them on a queue.
    ///   - passwordLogRounds: scrypt's cost for new account passwords;
    ///     tests lower it.
    public init(chat: Chat, table: CommandTable = BuiltinCommands.table(), hooks: HookTable = HookTable(),
                adminPassword: String?, logger: Logger = Logger(label: "papo.bot"), checkPasswordsInPlace: Bool = false,
                passwordLogRounds: Int = PasswordHash.defaultLogRounds) {
        self.chat = chat
        self.table = table
        self.hooks = hooks
        self.adminCredential = adminPassword.flatMap { $0.isEmpty ? nil : try? PasswordHash(stored: $0) }
        self.passwordChecks = checkPasswordsInPlace ? nil : DispatchQueue(label: "papo.password-checks")
        self.passwordLogRounds = passwordLogRounds
        self.logger = logger
        chat.observer = { [unowned self] event in
            if self.hooks.wantedEventKinds.contains(event.kind), event.sender != Chat.botName {
                self.pendingEvents.append(event)
            }
        }
    }

    /// Room events waiting for the event hooks, which run once the operation
    /// that caused them is over (so a hook never sees the chat mid-change).
    private var pendingEvents: [ChatEvent] = []

    /// Runs `body` as the chat's owner, then the event hooks for what it did.
    public func withChat<T>(_ body: (Chat) throws -> T) rethrows -> T {
        try lock.withLock {
            defer { runEventHooks() }
            return try body(chat)
        }
    }

    /// Tells the event hooks of pending events. The hooks only take note:
    /// scripts see the events later, off the lock.
    private func runEventHooks() {
        guard !pendingEvents.isEmpty else { return }
        let events = pendingEvents
        pendingEvents.removeAll()
        for event in events {
            for hook in hooks.eventHooks where hook.kinds.contains(event.kind) { hook.run(event) }
        }
    }

    /// Admits a user; on failure nothing changed. `welcomed` runs as soon
    /// as the user is in, before any hook can speak to them, so the front
    /// end's welcome is the first thing the user receives.
    /// `login`, `inLobby`: see `Chat.connect`.
    public func connect(name: String, endpoint: any ChatEndpoint, address: String?, login: VerifiedLogin? = nil,
                        inLobby: Bool = true, welcomed: (Welcome) -> Void = { _ in }) -> Result<Welcome, ChatError> {
        withChat { chat in
            let result = Result {
                try chat.connect(name: name, endpoint: endpoint, address: address, login: login, inLobby: inLobby)
            }
                .mapError { $0 as? ChatError ?? .badRequest("\($0)") }
            if case .success(let welcome) = result { welcomed(welcome) }
            return result
        }
    }

    public func disconnect(_ id: UserID, reason: String? = nil) {
        withChat { chat in
            failedPasswords.removeValue(forKey: id)
            pipelines.removeValue(forKey: id)
            chat.disconnect(id, reason: reason)
        }
    }

    /// Tells every user the server is going down.
    /// Tells everyone the server is stopping, then waits until that news
    /// (and everything recorded before it) is stored and handed to the
    /// outbox, so the connections can be closed after it.
    public func announceShutdown() {
        let storage = withChat { chat in
            chat.announceShutdown()
            return chat.storage
        }
        storage.flush()
    }

    /// Handles one line from `user`. The answer (a `Reply`) and any events
    /// leave through the chat's outbox. Lines of one user are handled in
    /// order: one that waits for a script holds back that user's next ones.
    /// Returns false when the front end should hand over no more of this
    /// user's lines until the endpoint's `resumeInput` (too many wait).
    @discardableResult
    public func handle(line: String, from user: UserID, requestID: String? = nil) -> Bool {
        withChat { chat in
            guard mustWait(user) else {
                process(line, from: user, requestID: requestID)
                return !shouldHold(user)
            }
            if !enqueue(line, from: user, requestID: requestID), let endpoint = chat.endpoint(of: user) {
                let error = ChatError.tooManyWaiting(max: UserPipeline.maxWaiting)
                chat.outbox.deliver(.reply(Reply(requestID: requestID, error: error, time: chat.now)), to: [endpoint])
            }
            return !shouldHold(user)
        }
    }

    /// What a front end runs as a user's turn (`perform`): it returns the
    /// reply's text or throws its error.
    public typealias Action = (Chat) throws -> String

    /// Runs `action` as `user`'s next line would be run: after every line
    /// of theirs before it has been answered, before any after it. Its
    /// result is delivered as a `Reply` (with `requestID`) like a command's.
    /// For front ends whose requests are not Papo command lines (IRC's
    /// JOIN, KICK, PING...), so their answers keep the order of everything
    /// else the user is sent. Returns false as `handle` does.
    @discardableResult
    public func perform(from user: UserID, requestID: String?, _ action: @escaping Action) -> Bool {
        withChat { chat in
            guard mustWait(user) else {
                run(action, from: user, requestID: requestID)
                return !shouldHold(user)
            }
            if !enqueue("", from: user, requestID: requestID, action: action), let endpoint = chat.endpoint(of: user) {
                let error = ChatError.tooManyWaiting(max: UserPipeline.maxWaiting)
                chat.outbox.deliver(.reply(Reply(requestID: requestID, error: error, time: chat.now)), to: [endpoint])
            }
            return !shouldHold(user)
        }
    }

    /// Runs a front end's action now and answers it. Under the chat's lock.
    func run(_ action: Action, from user: UserID, requestID: String?) {
        guard let endpoint = chat.endpoint(of: user) else { return }
        let reply: Reply
        do {
            reply = Reply(requestID: requestID, text: try action(chat), time: chat.now)
        } catch {
            reply = Reply(requestID: requestID, error: error as? ChatError ?? .badRequest(String(describing: error)),
                          time: chat.now)
        }
        answer(reply, user: user, endpoint: endpoint)
    }

    /// A command line whose `requestID` is this prefix and a room's name
    /// (IRC's `!command` in a channel) is answered in that room, by the
    /// bot, for everyone there: when it succeeds with at most
    /// `maxPublicAnswerLines` lines and its caller may speak in that room.
    /// Otherwise (an error, a long answer such as `/ajuda`, a room the
    /// caller is not in) the caller alone gets the reply, as usual.
    public static let publicAnswerPrefix = "papo-public:"
    public static let maxPublicAnswerLines = 4

    /// Delivers `reply` to the user, or says it in a room (`publicAnswerPrefix`),
    /// in the user's turn, so it keeps its place before their next answer.
    /// Under the chat's lock.
    func answer(_ reply: Reply, user: UserID, endpoint: any ChatEndpoint) {
        if reply.error == nil, !reply.text.isEmpty, let id = reply.requestID, id.hasPrefix(Self.publicAnswerPrefix) {
            let room = String(id.dropFirst(Self.publicAnswerPrefix.count))
            let lines = reply.text.split(separator: "\n").map(String.init)
            if lines.count <= Self.maxPublicAnswerLines, let target = try? chat.speakingRoomName(of: user, named: room),
               (try? lines.forEach { try NameRules.messageText($0).get() }) != nil {
                for line in lines { try? chat.botSay(inRoom: target, line) }
                return
            }
        }
        chat.outbox.deliver(.reply(reply), to: [endpoint])
    }

    /// Handles one line now. Under the chat's lock.
    func process(_ line: String, from user: UserID, requestID: String?) {
        guard let endpoint = chat.endpoint(of: user) else { return }
        let reply: Reply
        var quitting = false
        var quitReason: String?
        do {
            switch try dispatch(line, from: user, requestID: requestID, chat: chat) {
            case .reply(let text):
                reply = Reply(requestID: requestID, text: text, time: chat.now)
            case .deferred:
                return
            case .quit(let text, let reason):
                reply = Reply(requestID: requestID, text: text, time: chat.now)
                quitting = true
                quitReason = reason
            }
        } catch {
            let chatError = error as? ChatError ?? .badRequest(String(describing: error))
            reply = Reply(requestID: requestID, error: chatError, time: chat.now)
            quitting = chatError == .tooManyAttempts
        }
        answer(reply, user: user, endpoint: endpoint)
        if quitting { chat.quit(user, reason: quitReason) }
    }

    /// Throws the error a caller with `role` gets for a command above it
    /// (`room`: their current room; nil when they are in none).
    static func checkPermission(_ command: Command, role: Role, room: String?) throws {
        try checkPermission(command.permission, role: role, room: room)
    }

    /// Throws what a caller of `role` lacking `permission` is told.
    public static func checkPermission(_ permission: Permission, role: Role, room: String?) throws {
        guard role < permission.requiredRole else { return }
        if permission == .admin { throw ChatError.notAdmin }
        guard let room else { throw ChatError.noRoom }
        throw ChatError.notModerator(room)
    }

    /// Says `line` in the user's room. With no message hooks it is said at
    /// once; otherwise it leaves the lock and passes the hooks (HookChain.swift),
    /// and the user's later lines wait for it. Returns false when the answer
    /// comes later.
    private func say(_ line: String, from user: UserID, requestID: String?, chat: Chat, room: String? = nil,
                     notice: Bool = false) throws -> Bool {
        guard !hooks.messageHooks.isEmpty else {
            try chat.say(user, line, in: room, notice: notice)
            return true
        }
        // Refused here, before the hooks: no room, or not one of the user's.
        let target = try chat.speakingRoomName(of: user, named: room)
        sayThroughHooks(line, requestID: requestID, from: user, room: target, notice: notice)
        return false
    }

    /// `/em sala texto` (and `/aviso`, as a notice): says `text` in `room`
    /// (one the caller is in; nil: the current one) through the message
    /// hooks, like a plain line.
    func say(_ text: String, inRoom room: String?, notice: Bool = false, context: CommandContext) throws -> CommandResult {
        if text.contains("/"), BuiltinCommands.looksLikePasswordCommand(text) { throw ChatError.looksLikePassword }
        return try say(text, from: context.caller, requestID: context.requestID, chat: context.chat, room: room,
                       notice: notice) ? .done : .deferred
    }

    private func dispatch(_ line: String, from user: UserID, requestID: String?, chat: Chat) throws -> CommandResult {
        // A plain line (or `//texto`, which says a line that starts with a slash).
        if let text = Self.spokenText(line) {
            if text.contains("/"), BuiltinCommands.looksLikePasswordCommand(text) { throw ChatError.looksLikePassword }
            return try say(text, from: user, requestID: requestID, chat: chat) ? .done : .deferred
        }
        let body = line.dropFirst()
        let name = String(body.prefix { $0 != " " })
        // Trimmed by hand: Foundation's CharacterSet trim bridged through
        // NSString and was a third of a private message's cost.
        var rest = body.dropFirst(name.count)
        while let first = rest.first, first.isWhitespace { rest.removeFirst() }
        while let last = rest.last, last.isWhitespace { rest.removeLast() }
        let arguments = String(rest)
        let role = chat.role(of: user)
        guard let command = table.lookup(name) else {
            throw ChatError.unknownCommand(name, suggestion: table.suggestion(for: name, role: role))
        }
        try Self.checkPermission(command, role: role, room: chat.roomName(of: user))
        let context = CommandContext(chat: chat, caller: user, invokedAs: name, arguments: arguments,
                                     requestID: requestID, table: table, engine: self)
        return try command.run(context)
    }
}

