import ChatCore
import Foundation

/// `/admin`: the password is checked with scrypt, which is slow on purpose,
/// so the check runs on its own serial queue. The chat's lock is free
/// meanwhile, and so are the event loops. The answer comes as a deferred
/// reply. One check runs at a time (scrypt takes 16 MiB), one per
/// connection is in flight, and at most `maxAdminChecksWaiting` wait;
/// beyond that the caller is told to try again.
extension ChatEngine {
    static let maxAdminChecksWaiting = 8

    /// Starts checking `attempt` for the caller; called under the chat's lock.
    func requestAdmin(_ attempt: String, context: CommandContext) throws -> CommandResult {
        guard let credential = adminCredential else { throw ChatError.adminDisabled }
        let chat = context.chat, user = context.caller
        if chat.isAdmin(user) { throw ChatError.alreadyAdmin }
        let address = chat.address(of: user)
        if let until = adminLockout.locked(address, now: chat.now) {
            throw ChatError.adminLockedOut(minutes: max(1, Int((until.timeIntervalSince(chat.now) / 60).rounded(.up))))
        }
        guard let queue = adminChecks else {
            return try finishAdmin(credential.verify(attempt), user: user, name: context.callerName,
                                   address: address, chat: chat)
        }
        guard !adminCheckers.contains(user), adminChecksWaiting < Self.maxAdminChecksWaiting else {
            throw ChatError.busy
        }
        adminCheckers.insert(user)
        adminChecksWaiting += 1
        let reply = context.deferredReply(), name = context.callerName
        queue.async {
            let matches = credential.verify(attempt)
            self.withChat { chat in
                self.adminChecksWaiting -= 1
                self.adminCheckers.remove(user)
                guard chat.name(of: user) != nil else {
                    // Gone meanwhile: nobody to answer, but a wrong guess
                    // still counts against the address.
                    if !matches { self.adminLockout.failed(address, now: chat.now) }
                    return
                }
                do {
                    if case .reply(let text) = try self.finishAdmin(matches, user: user, name: name, address: address,
                                                                    chat: chat) {
                        reply.send(text: text)
                    }
                } catch {
                    let chatError = error as? ChatError ?? .badRequest("\(error)")
                    reply.send(text: "", error: chatError)
                    if chatError == .tooManyAttempts { chat.quit(user, reason: nil) }
                }
            }
        }
        return .deferred
    }

    /// Applies a checked attempt: grants admin, or counts the failure per
    /// connection (the third disconnects) and per address (the fifth locks
    /// the address out). Every failure is logged. Under the chat's lock.
    private func finishAdmin(_ matches: Bool, user: UserID, name: String, address: String?,
                             chat: Chat) throws -> CommandResult {
        if matches {
            failedAdminAttempts.removeValue(forKey: user)
            adminLockout.succeeded(address)
            try chat.grantAdmin(user)
            return .reply("Agora você é administrador.")
        }
        let failures = failedAdminAttempts[user, default: 0] + 1
        failedAdminAttempts[user] = failures
        adminLockout.failed(address, now: chat.now)
        logger.warning("wrong admin password",
                       metadata: ["user": "\(name)", "address": "\(address ?? "local")", "attempt": "\(failures)"])
        if failures >= Self.maxAdminAttempts { throw ChatError.tooManyAttempts }
        throw ChatError.wrongPassword
    }
}
