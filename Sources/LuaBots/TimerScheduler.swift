import ChatCore
import Dispatch
import Foundation

/// One script's timers. They fire on a private queue; the registry wraps
/// each firing so it runs as the chat's owner. `cancelAll` when the script
/// unloads, so no ghost timer outlives its script.
final class TimerScheduler: @unchecked Sendable {
    static let maxTimers = 50
    static let shortest: TimeInterval = 1
    static let longest: TimeInterval = 7 * 86_400

    private static let queue = DispatchQueue(label: "papo.bots.timers")
    private let lock = NSLock()
    private var timers: [Int: DispatchSourceTimer] = [:]
    private var nextID = 1
    private let runAsOwner: @Sendable (@escaping (Chat) -> Void) -> Void

    /// - Parameter runAsOwner: runs a firing while holding the chat (the
    ///   engine's `withChat`).
    init(runAsOwner: @escaping @Sendable (@escaping (Chat) -> Void) -> Void) {
        self.runAsOwner = runAsOwner
    }

    enum Failure: Error, CustomStringConvertible {
        case tooMany, badDelay
        var description: String {
            switch self {
            case .tooMany: return "timers demais (máximo \(TimerScheduler.maxTimers) por script)"
            case .badDelay: return "o intervalo deve ser de 1 segundo a 7 dias"
            }
        }
    }

    /// Schedules `fire` after `delay` seconds, and then every `delay` seconds if `repeating`.
    func schedule(after delay: TimeInterval, repeating: Bool, fire: @escaping (Int, Chat) -> Void) throws -> Int {
        guard delay >= Self.shortest, delay <= Self.longest else { throw Failure.badDelay }
        return try lock.withLock {
            guard timers.count < Self.maxTimers else { throw Failure.tooMany }
            let id = nextID
            nextID += 1
            arm(id, after: delay, repeating: repeating, fire: fire)
            return id
        }
    }

    /// Schedules a one-shot timer that has just fired once more, under the
    /// same id (so the script can still cancel it): for a firing put off.
    func rearm(_ id: Int, after delay: TimeInterval, fire: @escaping (Int, Chat) -> Void) {
        lock.withLock { arm(id, after: delay, repeating: false, fire: fire) }
    }

    /// Under `lock`.
    private func arm(_ id: Int, after delay: TimeInterval, repeating: Bool, fire: @escaping (Int, Chat) -> Void) {
        let timer = DispatchSource.makeTimerSource(queue: Self.queue)
        timer.schedule(deadline: .now() + delay, repeating: repeating ? .milliseconds(Int(delay * 1000)) : .never)
        let runAsOwner = self.runAsOwner
        timer.setEventHandler { [weak self] in
            guard let self, self.isActive(id) else { return }
            if !repeating { self.cancel(id) }
            runAsOwner { chat in fire(id, chat) }
        }
        timers[id] = timer
        timer.resume()
    }

    func isActive(_ id: Int) -> Bool { lock.withLock { timers[id] != nil } }

    func cancel(_ id: Int) {
        lock.withLock { timers.removeValue(forKey: id) }?.cancel()
    }

    func cancelAll() {
        let all = lock.withLock { () -> [DispatchSourceTimer] in
            defer { timers.removeAll() }
            return Array(timers.values)
        }
        for timer in all { timer.cancel() }
    }

    var count: Int { lock.withLock { timers.count } }
}
