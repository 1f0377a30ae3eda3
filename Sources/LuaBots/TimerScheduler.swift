import ChatCore
import Dispatch
import Foundation

/// One script's timers. They come due on a private queue, which only hands
/// the firing to the script's worker (`due`), at most one waiting per timer:
/// a repeating timer whose script is slow skips turns instead of piling
/// them up. `cancelAll` when the script unloads, so no ghost timer outlives
/// its script. With a `VirtualClock` (scenario tests), timers come due
/// only when the clock is moved on.
final class TimerScheduler: @unchecked Sendable {
    static let maxTimers = 50
    static let shortest: TimeInterval = 1
    static let longest: TimeInterval = 7 * 86_400

    private static let queue = DispatchQueue(label: "papo.bots.timers")
    private let lock = NSLock()
    /// Armed timers: a dispatch source each, or nil for one the virtual clock keeps.
    private var timers: [Int: DispatchSourceTimer?] = [:]
    private let clock: VirtualClock?
    private var nextID = 1
    /// Timers whose firing waits on the worker.
    private var waiting: Set<Int> = []
    /// Hands a firing to the script's worker; set before any timer is made.
    /// The firing calls `fired(id)` first when it runs.
    var due: (_ id: Int) -> Void = { _ in }

    init(clock: VirtualClock? = nil) {
        self.clock = clock
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
    func schedule(after delay: TimeInterval, repeating: Bool) throws -> Int {
        guard delay >= Self.shortest, delay <= Self.longest else { throw Failure.badDelay }
        return try lock.withLock {
            guard timers.count < Self.maxTimers else { throw Failure.tooMany }
            let id = nextID
            nextID += 1
            arm(id, after: delay, repeating: repeating)
            return id
        }
    }

    /// Schedules a one-shot timer that has just fired once more, under the
    /// same id (so the script can still cancel it): for a firing put off.
    func rearm(_ id: Int, after delay: TimeInterval) {
        lock.withLock { arm(id, after: delay, repeating: false) }
    }

    /// Called by the firing as it starts on the worker: the timer may be
    /// handed over again.
    func fired(_ id: Int) {
        _ = lock.withLock { waiting.remove(id) }
    }

    /// Under `lock`.
    private func arm(_ id: Int, after delay: TimeInterval, repeating: Bool) {
        if let clock {
            timers[id] = .some(nil)
            clock.add(id, of: self, after: delay, repeating: repeating)
            return
        }
        let timer = DispatchSource.makeTimerSource(queue: Self.queue)
        timer.schedule(deadline: .now() + delay, repeating: repeating ? .milliseconds(Int(delay * 1000)) : .never)
        timer.setEventHandler { [weak self] in self?.comeDue(id, repeating: repeating) }
        timers[id] = timer
        timer.resume()
    }

    /// Timer `id`'s time has come (its dispatch source fired, or the
    /// virtual clock reached it): hands it to the worker unless a firing of
    /// it still waits there.
    func comeDue(_ id: Int, repeating: Bool) {
        let handOver: Bool = lock.withLock {
            guard timers[id] != nil, !waiting.contains(id) else { return false }
            waiting.insert(id)
            return true
        }
        guard handOver else { return }
        if !repeating { cancel(id) }
        due(id)
    }

    func isActive(_ id: Int) -> Bool { lock.withLock { timers[id] != nil } }

    func cancel(_ id: Int) {
        let removed = lock.withLock { timers.removeValue(forKey: id) }
        removed??.cancel()
        if removed != nil { clock?.remove(id, of: self) }
    }

    func cancelAll() {
        let all = lock.withLock { () -> [Int: DispatchSourceTimer?] in
            defer { timers.removeAll() }
            return timers
        }
        for (id, timer) in all {
            timer?.cancel()
            clock?.remove(id, of: self)
        }
    }

    var count: Int { lock.withLock { timers.count } }
}
