import Foundation
import Logging

/// Keeps one script's log lines to a few per interval: a timer failing
/// every second, or a hook failing on every message, writes `perInterval`
/// lines and then one summary of how many it held back, instead of
/// growing the log with the script's every mistake.
final class LogThrottle: @unchecked Sendable {
    static let perInterval = 5
    static let interval = 10.0

    private let logger: Logger
    private let lock = NSLock()
    private var windowStart = -Double.infinity
    private var written = 0
    private var suppressed = 0

    init(logger: Logger) {
        self.logger = logger
    }

    func warning(_ message: Logger.Message, metadata: Logger.Metadata, now: Double = CPUBudget.now()) {
        lock.lock()
        defer { lock.unlock() }
        if now - windowStart >= Self.interval {
            if suppressed > 0 {
                var summary = metadata
                summary["suppressed"] = "\(suppressed)"
                logger.warning("bot log lines held back", metadata: summary.filter { $0.key == "file" || $0.key == "suppressed" })
            }
            windowStart = now
            written = 0
            suppressed = 0
        }
        guard written < Self.perInterval else {
            suppressed += 1
            return
        }
        written += 1
        logger.warning(message, metadata: metadata)
    }
}
