import ChatCore
import Foundation

/// Account passwords. scrypt is slow on purpose, so every check and every
/// new hash runs on the engine's password queue, off the chat's lock and
/// the event loops; the caller's later lines wait for the answer, nobody
/// else's do. Wrong passwords are slowed per name, per name from one
/// address and per address (`LoginLockouts`), and counted per connection
/// (the third disconnects). No password is ever logged, echoed or stored:
/// only its hash is, and a wrong one is logged with the account's name
/// (never the typed one) and the address.
extension ChatEngine {
    public static let minPasswordLength = 8
    /// Wrong passwords one connection may give; the third disconnects.
    public static let maxPasswordAttempts = 3

    /// Refuses a new password that is too short, too long, or holds spaces
    /// or control characters. (Without spaces, `/senha atual nova` and
    /// `/identificar nome senha` always split where the user meant.)
    public static func checkNewPassword(_ password: String) throws {
        if NameRules.containsControlCharacters(password) || password.utf8.count > PasswordHash.maxPasswordBytes
            || password.contains(where: \.isWhitespace) {
            throw ChatError.passwordInvalid
        }
        if password.count < minPasswordLength { throw ChatError.passwordTooShort(min: minPasswordLength) }
    }

    /// Runs `work` on the password queue (in the slot already taken for
    /// `address`); then, as the chat's owner, `settle` (always, even when
    /// the caller has left meanwhile: a wrong guess must count) and
    /// `finish`, whose text answers the caller's line. With no queue
    /// (tests) all of it runs at once.
    func offLock<T: Sendable>(_ context: CommandContext, address: String?, work: @escaping @Sendable () -> T,
                              settle: @escaping @Sendable (Chat, T) -> Void = { _, _ in },
                              finish: @escaping @Sendable (Chat, T) throws -> String) throws -> CommandResult {
        guard let queue = passwordChecks else {
            let result = work()
            passwordSlots.give(address: address)
            settle(context.chat, result)
            return .reply(try finish(context.chat, result))
        }
        let continuation = context.suspend()
        queue.async {
            let result = work()
            self.withChat { chat in
                self.passwordSlots.give(address: address)
                settle(chat, result)
            }
            continuation.finish { chat in try finish(chat, result) }
        }
        return .deferred
    }

    /// Takes a slot on the password queue, or throws `busy`.
    func takePasswordSlot(address: String?, kind: PasswordQueueSlots.Kind) throws {
        guard passwordSlots.take(address: address, kind: kind) else { throw ChatError.busy }
    }

    /// Counts a wrong password on the user's connection and returns the
    /// error to answer with: the third is `tooManyAttempts`, which disconnects.
    func wrongPassword(for user: UserID) -> ChatError {
        let failures = failedPasswords[user, default: 0] + 1
        failedPasswords[user] = failures
        return failures >= Self.maxPasswordAttempts ? .tooManyAttempts : .wrongPassword
    }

    /// Takes a slot on the password queue and starts the check against the
    /// lockouts; throws `busy` or `locked_out` (giving the slot back).
    func beginCheck(account: AccountRecord?, address: String?, kind: PasswordQueueSlots.Kind,
                    now: Date) throws -> LoginLockouts.Ticket {
        try takePasswordSlot(address: address, kind: kind)
        do { return try beginLogin(account: account, address: address, now: now) } catch {
            passwordSlots.give(address: address)
            throw error
        }
    }

    /// Starts an account password check against the lockouts, or throws `locked_out`.
    private func beginLogin(account: AccountRecord?, address: String?, now: Date) throws -> LoginLockouts.Ticket {
        switch loginLockouts.begin(account: account.map { nameKey($0.name) }, address: address, now: now) {
        case .success(let ticket): return ticket
        case .failure(let locked):
            throw ChatError.loginLockedOut(seconds: max(1, Int(locked.date.timeIntervalSince(now).rounded(.up))))
        }
    }

    /// Records the outcome of one account password check.
    func settleLogin(_ ticket: LoginLockouts.Ticket, matched: Bool, account: AccountRecord?, address: String?,
                     now: Date) {
        loginLockouts.finish(ticket, matched: matched, now: now)
        if !matched {
            logger.warning("wrong account password",
                           metadata: ["account": "\(account?.name ?? "(no such account)")", "address": "\(address ?? "local")"])
        }
    }

    // MARK: Logging in with a password

    /// Checks `typed` as the password of the account `name` off the chat's
    /// lock, with the same lockouts as a login, and hands back the proof
    /// (the SSH front end checks at authentication and connects later).
    /// `noSuchAccount` when the name has no account.
    public func verifyLogin(name: String, password typed: String, address: String?,
                            completion: @escaping @Sendable (Result<VerifiedLogin, ChatError>) -> Void) {
        let password = typed.trimmingCharacters(in: .whitespaces)
        typealias Check = (PasswordHash, VerifiedLogin, AccountRecord, LoginLockouts.Ticket)
        let start: Result<Check, ChatError> = withChat { chat in
            guard let account = chat.account(named: name) else { return .failure(.noSuchAccount(name)) }
            if NameRules.containsControlCharacters(password) { return .failure(.passwordInvalid) }
            guard let hash = try? PasswordHash(stored: account.credential) else { return .failure(.wrongPassword) }
            do {
                let ticket = try beginCheck(account: account, address: address, kind: .login, now: chat.now)
                return .success((hash, VerifiedLogin(accountID: account.id, credential: account.credential), account, ticket))
            } catch {
                return .failure(error as? ChatError ?? .badRequest("\(error)"))
            }
        }
        guard case .success(let (hash, login, account, ticket)) = start else {
            if case .failure(let error) = start { completion(.failure(error)) }
            return
        }
        let check: @Sendable () -> Void = {
            let matched = hash.verify(password)
            self.withChat { chat in
                self.passwordSlots.give(address: address)
                self.settleLogin(ticket, matched: matched, account: account, address: address, now: chat.now)
            }
            completion(matched ? .success(login) : .failure(.wrongPassword))
        }
        if let queue = passwordChecks { queue.async(execute: check) } else { check() }
    }

    /// Admits a user who gave a password with their name (the JSON
    /// `hello`'s `password`, or the line a text client sends after a
    /// registered name). The answer comes through `completion`, on the
    /// password queue's thread (at once when the name is not registered:
    /// then the password is ignored and the user is a guest). `welcomed`
    /// runs under the chat's lock as soon as the user is in.
    public func connect(name: String, password typed: String, endpoint: any ChatEndpoint, address: String?,
                        inLobby: Bool = true, welcomed: @escaping @Sendable (Welcome) -> Void,
                        completion: @escaping @Sendable (Result<Welcome, ChatError>) -> Void) {
        // Passwords hold no spaces: the ones around it are the terminal's.
        let password = typed.trimmingCharacters(in: .whitespaces)
        typealias Check = (PasswordHash, VerifiedLogin, AccountRecord, LoginLockouts.Ticket)
        let start: Result<Check?, ChatError> = withChat { chat in
            guard let account = chat.account(named: name) else { return .success(nil) }
            if NameRules.containsControlCharacters(password) { return .failure(.passwordInvalid) }
            guard let hash = try? PasswordHash(stored: account.credential) else { return .failure(.wrongPassword) }
            do {
                let ticket = try beginCheck(account: account, address: address, kind: .login, now: chat.now)
                return .success((hash, VerifiedLogin(accountID: account.id, credential: account.credential), account, ticket))
            } catch {
                return .failure(error as? ChatError ?? .badRequest("\(error)"))
            }
        }
        guard case .success(let found) = start, let (hash, login, account, ticket) = found else {
            if case .failure(let error) = start { completion(.failure(error)) }
            else { completion(connect(name: name, endpoint: endpoint, address: address, inLobby: inLobby, welcomed: welcomed)) }
            return
        }
        let check: @Sendable () -> Void = {
            let matched = hash.verify(password)
            let result: Result<Welcome, ChatError> = self.withChat { chat in
                self.passwordSlots.give(address: address)
                self.settleLogin(ticket, matched: matched, account: account, address: address, now: chat.now)
                guard matched else { return .failure(.wrongPassword) }
                let result = Result {
                    try chat.connect(name: name, endpoint: endpoint, address: address, login: login, inLobby: inLobby)
                }
                    .mapError { $0 as? ChatError ?? .badRequest("\($0)") }
                if case .success(let welcome) = result { welcomed(welcome) }
                return result
            }
            completion(result)
        }
        if let queue = passwordChecks { queue.async(execute: check) } else { check() }
    }

    // MARK: Commands

    /// `/identificar nome senha`. A name with no account gets the same
    /// answer, after the same work, as a wrong password.
    func identify(name: String, password: String, context: CommandContext) throws -> CommandResult {
        let chat = context.chat, user = context.caller, address = chat.address(of: user)
        if NameRules.containsControlCharacters(password) { throw ChatError.passwordInvalid }
        let account = chat.account(named: name)
        if let account, chat.account(of: user)?.id == account.id { throw ChatError.alreadyIdentified(account.name) }
        let ticket = try beginCheck(account: account, address: address, kind: .login, now: chat.now)
        let hash = account.flatMap { try? PasswordHash(stored: $0.credential) }
        let login = account.map { VerifiedLogin(accountID: $0.id, credential: $0.credential) }
        return try offLock(context, address: address, work: { (hash ?? self.decoyCredential).verify(password) && login != nil },
                       settle: { chat, matched in
                           self.settleLogin(ticket, matched: matched, account: account, address: address, now: chat.now)
                       },
                       finish: { chat, matched in
                           guard matched, let login else { throw self.wrongPassword(for: user) }
                           self.failedPasswords[user] = nil
                           let accountName = try chat.identify(user, login: login)
                           return "Você agora é \(accountName), identificado com a sua conta."
                       })
    }

    /// `/registrar senha`: the caller's name becomes their account.
    func register(password: String, context: CommandContext) throws -> CommandResult {
        let chat = context.chat, user = context.caller, address = chat.address(of: user)
        try chat.checkCanRegister(user)
        try Self.checkNewPassword(password)
        try takePasswordSlot(address: address, kind: .change)
        guard registrations.allow(address, now: chat.now.timeIntervalSince1970) else {
            passwordSlots.give(address: address)
            throw ChatError.tooManyRegistrations
        }
        let rounds = passwordLogRounds
        return try offLock(context, address: address,
                       work: { try? PasswordHash.hashing(password, logRounds: rounds).storedForm },
                       finish: { chat, stored in
                           guard let stored else { throw ChatError.badRequest("não foi possível guardar a senha") }
                           let account = try chat.register(user, credential: stored)
                           return "O nome \(account.name) agora é seu. Ao entrar com ele, o servidor pedirá a senha; "
                               + "de outro nome, use /identificar \(account.name) <senha>."
                       })
    }

    /// `/senha atual nova`.
    func changePassword(current: String, new: String, context: CommandContext) throws -> CommandResult {
        let chat = context.chat, user = context.caller, address = chat.address(of: user)
        guard let account = chat.account(of: user) else { throw ChatError.notIdentified }
        if NameRules.containsControlCharacters(current) { throw ChatError.passwordInvalid }
        try Self.checkNewPassword(new)
        let hash = try PasswordHash(stored: account.credential)
        let ticket = try beginCheck(account: account, address: address, kind: .change, now: chat.now)
        let login = VerifiedLogin(accountID: account.id, credential: account.credential)
        let rounds = passwordLogRounds
        return try offLock(context, address: address,
                       work: { () -> String?? in
                           guard hash.verify(current) else { return .none }
                           return .some(try? PasswordHash.hashing(new, logRounds: rounds).storedForm)
                       },
                       settle: { chat, outcome in
                           self.settleLogin(ticket, matched: outcome != nil, account: account, address: address,
                                            now: chat.now)
                       },
                       finish: { chat, outcome in
                           guard let outcome else { throw self.wrongPassword(for: user) }
                           guard let stored = outcome else {
                               throw ChatError.badRequest("não foi possível guardar a senha")
                           }
                           self.failedPasswords[user] = nil
                           try chat.changePassword(user, login: login, to: stored)
                           return "Senha trocada."
                       })
    }
}
