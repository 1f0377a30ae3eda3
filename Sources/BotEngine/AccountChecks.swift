import ChatCore
import Foundation

/// Account passwords. scrypt is slow on purpose, so every check and every
/// new hash runs on the engine's password queue, off the chat's lock and
/// the event loops; the caller's later lines wait for the answer, nobody
/// else's do. Wrong passwords are slowed per address and per name
/// (`PasswordLockout`) and counted per connection (the third disconnects).
/// No password is ever logged, echoed or stored: only its hash is.
extension ChatEngine {
    /// Checks and hashes waiting on the queue at most; past it: `busy`.
    static let maxPasswordChecksWaiting = 8
    public static let minPasswordLength = 8
    /// Wrong passwords one connection may give; the third disconnects.
    public static let maxPasswordAttempts = 3

    /// Refuses a new password that is too short, too long or holds control characters.
    public static func checkNewPassword(_ password: String) throws {
        if NameRules.containsControlCharacters(password) || password.utf8.count > PasswordHash.maxPasswordBytes {
            throw ChatError.passwordInvalid
        }
        if password.count < minPasswordLength { throw ChatError.passwordTooShort(min: minPasswordLength) }
    }

    /// Runs `work` on the password queue; then, as the chat's owner,
    /// `settle` (always, even when the caller has left meanwhile: a wrong
    /// guess must count) and `finish`, whose text answers the caller's line.
    /// With no queue (tests) all of it runs at once.
    func offLock<T: Sendable>(_ context: CommandContext, work: @escaping @Sendable () -> T,
                              settle: @escaping @Sendable (Chat, T) -> Void = { _, _ in },
                              finish: @escaping @Sendable (Chat, T) throws -> String) throws -> CommandResult {
        guard let queue = passwordChecks else {
            let result = work()
            settle(context.chat, result)
            return .reply(try finish(context.chat, result))
        }
        guard passwordChecksWaiting < Self.maxPasswordChecksWaiting else { throw ChatError.busy }
        passwordChecksWaiting += 1
        let continuation = context.suspend()
        queue.async {
            let result = work()
            self.withChat { chat in
                self.passwordChecksWaiting -= 1
                settle(chat, result)
            }
            continuation.finish { chat in try finish(chat, result) }
        }
        return .deferred
    }

    /// Counts a wrong password on the user's connection and returns the
    /// error to answer with: the third is `tooManyAttempts`, which disconnects.
    func wrongPassword(for user: UserID) -> ChatError {
        let failures = failedPasswords[user, default: 0] + 1
        failedPasswords[user] = failures
        return failures >= Self.maxPasswordAttempts ? .tooManyAttempts : .wrongPassword
    }

    /// The error for an address or a name that guessed wrong too often, if either is locked now.
    func lockoutError(address: String?, name: String, now: Date) -> ChatError? {
        let until = [accountAddressLockout.locked(address, now: now),
                     accountNameLockout.locked(nameKey(name), now: now)].compactMap { $0 }.max()
        return until.map { .loginLockedOut(seconds: max(1, Int($0.timeIntervalSince(now).rounded(.up)))) }
    }

    /// Records the outcome of one account password check.
    func settleLogin(_ matched: Bool, address: String?, name: String, now: Date) {
        if matched {
            accountAddressLockout.succeeded(address)
            accountNameLockout.succeeded(nameKey(name))
        } else {
            accountAddressLockout.failed(address, now: now)
            accountNameLockout.failed(nameKey(name), now: now)
            logger.warning("wrong account password", metadata: ["name": "\(name)", "address": "\(address ?? "local")"])
        }
    }

    // MARK: Logging in with a password

    /// Admits a user who gave a password with their name (the JSON
    /// `hello`'s `password`, or the line a text client sends after a
    /// registered name). The answer comes through `completion`, on the
    /// password queue's thread (at once when the name is not registered:
    /// then the password is ignored and the user is a guest). `welcomed`
    /// runs under the chat's lock as soon as the user is in.
    public func connect(name: String, password: String, endpoint: any ChatEndpoint, address: String?,
                        welcomed: @escaping @Sendable (Welcome) -> Void,
                        completion: @escaping @Sendable (Result<Welcome, ChatError>) -> Void) {
        let start: Result<(PasswordHash, VerifiedLogin, String)?, ChatError> = withChat { chat in
            guard let account = chat.account(named: name) else { return .success(nil) }
            if let error = lockoutError(address: address, name: account.name, now: chat.now) { return .failure(error) }
            if NameRules.containsControlCharacters(password) { return .failure(.passwordInvalid) }
            guard let hash = try? PasswordHash(stored: account.credential) else { return .failure(.wrongPassword) }
            if passwordChecks != nil {
                guard passwordChecksWaiting < Self.maxPasswordChecksWaiting else { return .failure(.busy) }
                passwordChecksWaiting += 1
            }
            return .success((hash, VerifiedLogin(accountID: account.id, credential: account.credential), account.name))
        }
        guard case .success(let found) = start, let (hash, login, accountName) = found else {
            if case .failure(let error) = start { completion(.failure(error)) }
            else { completion(connect(name: name, endpoint: endpoint, address: address, welcomed: welcomed)) }
            return
        }
        let check: @Sendable () -> Void = {
            let matched = hash.verify(password)
            let result: Result<Welcome, ChatError> = self.withChat { chat in
                if self.passwordChecks != nil { self.passwordChecksWaiting -= 1 }
                self.settleLogin(matched, address: address, name: accountName, now: chat.now)
                guard matched else { return .failure(.wrongPassword) }
                let result = Result { try chat.connect(name: name, endpoint: endpoint, address: address, login: login) }
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
    /// answer, after the same work, as a wrong password: accounts cannot
    /// be listed by guessing.
    func identify(name: String, password: String, context: CommandContext) throws -> CommandResult {
        let chat = context.chat, user = context.caller, address = chat.address(of: user)
        if NameRules.containsControlCharacters(password) { throw ChatError.passwordInvalid }
        if let error = lockoutError(address: address, name: name, now: chat.now) { throw error }
        let account = chat.account(named: name)
        if let account, chat.account(of: user)?.id == account.id { throw ChatError.alreadyIdentified(account.name) }
        let hash = account.flatMap { try? PasswordHash(stored: $0.credential) }
        let login = account.map { VerifiedLogin(accountID: $0.id, credential: $0.credential) }
        return try offLock(context, work: { (hash ?? self.decoyCredential).verify(password) && login != nil },
                           settle: { chat, matched in
                               self.settleLogin(matched, address: address, name: name, now: chat.now)
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
        let chat = context.chat, user = context.caller
        try chat.checkCanRegister(user)
        try Self.checkNewPassword(password)
        let rounds = passwordLogRounds
        return try offLock(context, work: { try? PasswordHash.hashing(password, logRounds: rounds).storedForm },
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
        if let error = lockoutError(address: address, name: account.name, now: chat.now) { throw error }
        let hash = try PasswordHash(stored: account.credential)
        let login = VerifiedLogin(accountID: account.id, credential: account.credential)
        let rounds = passwordLogRounds, name = account.name
        return try offLock(context, work: { () -> String?? in
                               guard hash.verify(current) else { return .none }
                               return .some(try? PasswordHash.hashing(new, logRounds: rounds).storedForm)
                           },
                           settle: { chat, outcome in
                               self.settleLogin(outcome != nil, address: address, name: name, now: chat.now)
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
