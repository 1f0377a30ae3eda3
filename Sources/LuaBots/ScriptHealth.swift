import BotEngine
import ChatCore
import Foundation

/// What `/bots` shows of a running script beyond its commands: how often it
/// failed, its last error (with file:line), and its recent log lines
/// (`papo.log` and errors), bounded, which admins may follow live with
/// `/bots log arquivo`.
final class ScriptHealth: @unchecked Sendable {
    static let recentKept = 20
    static let maxLineCharacters = 300
    static let maxFollowers = 10

    private let lock = NSLock()
    private var errorCount = 0
    private var last: String?
    private var recent: [String] = []
    private var followers: [UserID] = []
    /// Sends a new line to the admins following (set by the registry;
    /// called off the chat's lock, on its own queue).
    var deliver: (@Sendable (String, [UserID]) -> Void)?

    var errors: Int { lock.withLock { errorCount } }
    var lastError: String? { lock.withLock { last } }
    var recentLines: [String] { lock.withLock { recent } }

    /// A failure of a command, hook or timer.
    func failed(_ error: String) {
        let line = BotText.oneLine(error, maxCharacters: Self.maxLineCharacters)
        lock.withLock {
            errorCount += 1
            last = "\(line) (\(TimeFormat.dateTime(Date())))"
        }
        append("erro: \(line)")
    }

    /// A line the script wrote with `papo.log`.
    func logged(_ text: String) {
        append("log: \(BotText.oneLine(text, maxCharacters: Self.maxLineCharacters))")
    }

    /// Starts (true) or stops sending new lines to `admin`; false when too many follow.
    func follow(_ admin: UserID, _ on: Bool) -> Bool {
        lock.withLock {
            followers.removeAll { $0 == admin }
            guard on else { return true }
            guard followers.count < Self.maxFollowers else { return false }
            followers.append(admin)
            return true
        }
    }

    func forget(_ admin: UserID) {
        _ = follow(admin, false)
    }

    private func append(_ line: String) {
        let stamped = "[\(TimeFormat.dateTime(Date()))] \(line)"
        let (send, admins): ((@Sendable (String, [UserID]) -> Void)?, [UserID]) = lock.withLock {
            recent.append(stamped)
            if recent.count > Self.recentKept { recent.removeFirst(recent.count - Self.recentKept) }
            return (self.deliver, self.followers)
        }
        guard let send, !admins.isEmpty else { return }
        // Never on the caller's thread: it may hold the chat's lock.
        ChatEngine.offLock.async { send(stamped, admins) }
    }
}
