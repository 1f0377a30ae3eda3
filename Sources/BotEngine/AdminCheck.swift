import ChatCore
import Foundation

/// `/admin`: the shared password from `papo serve`, the bootstrap for a
/// server that has no admin accounts yet. It is checked with scrypt on the
/// password queue (AccountChecks.swift), off the chat's lock.
extension ChatEngine {
    /// Starts checking `attempt` for the caller; called under the chat's lock.
    func requestAdmin(_ attempt: String, context: CommandContext) throws -> CommandResult {
        guard let credential = adminCredential else { throw ChatError.adminDisabled }
        let chat = context.chat, user = context.caller
        if chat.isAdmin(user) { throw ChatError.alreadyAdmin }
        if chat.hasAdminAccounts { throw ChatError.adminByAccount }
        let address = chat.address(of: user), name = context.callerName
        if let until = adminLockout.locked(address, now: chat.now) {
            throw ChatError.adminLockedOut(minutes: max(1, Int((until.timeIntervalSince(chat.now) / 60).rounded(.up))))
        }
        try takePasswordSlot(address: address, kind: .login)
        return try offLock(context, address: address, work: { credential.verify(attempt) },
                           settle: { chat, matches in
                               // Counted even if the caller left meanwhile.
                               if matches {
                                   self.adminLockout.succeeded(address)
                               } else {
                                   self.adminLockout.failed(address, now: chat.now)
                                   self.logger.warning("wrong admin password",
                                                       metadata: ["user": "\(name)", "address": "\(address ?? "local")"])
                               }
                           },
                           finish: { chat, matches in
                               guard matches else { throw self.wrongPassword(for: user) }
                               self.failedPasswords.removeValue(forKey: user)
                               try chat.grantAdmin(user)
                               return "Agora você é administrador."
                           })
    }
}
