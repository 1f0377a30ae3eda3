import Foundation

/// The clock of a `papo.test` scenario: time moves only when a step says
/// `advance = N`, and the timers scripts made come due in order as it
/// moves, so a 30-second quiz round is tested in no time. The chat's
/// clock, `os.time`, `os.date` and `papo.now` read it too.
public final class VirtualClock: @unchecked Sendable {
    private struct Entry {
        var due: Date
        var interval: TimeInterval?
        var order: Int
        let id: Int
        weak var scheduler: TimerScheduler?
    }

    private let lock = NSLock()
    private var current: Date
    private var entries: [Entry] = []
    private var order = 0

    /// Starts at `start` (by default a fixed, ordinary moment, so scenario
    /// results do not depend on the day they run).
    public init(start: Date = Date(timeIntervalSince1970: 1_767_268_800)) { // 2026-01-01 12:00 UTC
        current = start
    }

    public var now: Date { lock.withLock { current } }

    func add(_ id: Int, of scheduler: TimerScheduler, after delay: TimeInterval, repeating: Bool) {
        lock.withLock {
            order += 1
            entries.append(Entry(due: current + delay, interval: repeating ? delay : nil, order: order, id: id,
                                 scheduler: scheduler))
        }
    }

    /// Moves the clock on by `seconds`, firing every timer that comes due on
    /// the way through `fire` (which waits for the scripts to be idle, so
    /// timers a firing arms are seen). At most `maxFirings`; false if there
    /// were more (a script arming timers without end).
    func advance(by seconds: TimeInterval, maxFirings: Int = 10_000, fire: () -> Void) -> Bool {
        let limit = now + seconds
        var firings = 0
        while let next = takeNext(until: limit) {
            firings += 1
            if firings > maxFirings { return false }
            next.scheduler.comeDue(next.id, repeating: next.repeating)
            fire()
        }
        return true
    }

    func remove(_ id: Int, of scheduler: TimerScheduler) {
        lock.withLock { entries.removeAll { $0.id == id && $0.scheduler === scheduler } }
    }

    /// The earliest timer due at or before `limit` (ties in the order they
    /// were armed), with the clock moved to its time; a repeating one is
    /// armed again one interval later. Nil when none is due: the clock
    /// then stands at `limit`.
    func takeNext(until limit: Date) -> (scheduler: TimerScheduler, id: Int, repeating: Bool)? {
        lock.withLock {
            entries.removeAll { $0.scheduler == nil }
            let due = entries.indices.filter { entries[$0].due <= limit }
            guard let index = due.min(by: { (entries[$0].due, entries[$0].order) < (entries[$1].due, entries[$1].order) }),
                  let scheduler = entries[index].scheduler else {
                current = max(current, limit)
                return nil
            }
            let entry = entries[index]
            current = max(current, entry.due)
            if let interval = entry.interval {
                order += 1
                entries[index].due = entry.due + interval
                entries[index].order = order
            } else {
                entries.remove(at: index)
            }
            return (scheduler, entry.id, entry.interval != nil)
        }
    }
}
