import Foundation

/// The one thread-safe door to a script: its jobs (commands, hooks, events,
/// timers, loading) run here, one at a time, off the chat's lock and off the
/// event loops, so a slow script keeps only its own callers waiting. Message
/// hooks go first (a message is waiting for them); everything else in order.
/// Both lanes are bounded: a job that does not fit is refused at once.
final class ScriptWorker: @unchecked Sendable {
    enum Lane { case urgent, normal }

    /// Jobs that may wait in each lane. Hooks are one per message in flight
    /// (a user has at most one); the rest are commands, events and timers.
    static let maxUrgent = 4096
    static let maxNormal = 64

    private let queue: DispatchQueue
    private let lock = NSLock()
    private let idle = NSCondition()
    private var urgent: [() -> Void] = []
    private var normal: [() -> Void] = []
    private var urgentHead = 0, normalHead = 0
    private var running = false

    init(label: String) {
        queue = DispatchQueue(label: "papo.bot.\(label)")
    }

    /// Queues `job`; false when its lane is full. `unbounded` is for the
    /// registry's own last job on a retired script, which must not be lost.
    @discardableResult
    func submit(_ lane: Lane, unbounded: Bool = false, _ job: @escaping () -> Void) -> Bool {
        let (accepted, start): (Bool, Bool) = lock.withLock {
            switch lane {
            case .urgent:
                guard unbounded || urgent.count - urgentHead < Self.maxUrgent else { return (false, false) }
                urgent.append(job)
            case .normal:
                guard unbounded || normal.count - normalHead < Self.maxNormal else { return (false, false) }
                normal.append(job)
            }
            defer { running = true }
            return (true, !running)
        }
        if start { queue.async { self.drain() } }
        return accepted
    }

    /// Jobs waiting or running.
    var pending: Int {
        lock.withLock { urgent.count - urgentHead + normal.count - normalHead + (running ? 1 : 0) }
    }

    private func next() -> (() -> Void)? {
        lock.withLock {
            if urgentHead < urgent.count {
                defer { urgentHead += 1; if urgentHead == urgent.count { urgent.removeAll(); urgentHead = 0 } }
                return urgent[urgentHead]
            }
            if normalHead < normal.count {
                defer { normalHead += 1; if normalHead == normal.count { normal.removeAll(); normalHead = 0 } }
                return normal[normalHead]
            }
            running = false
            return nil
        }
    }

    private func drain() {
        while let job = next() { job() }
        idle.lock()
        idle.broadcast()
        idle.unlock()
    }

    /// Runs `body` on the worker, after what is queued, and waits for it.
    /// Never call it from the worker itself or under the chat's lock.
    func sync<T>(_ body: @escaping () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        var result: T?
        while !submit(.normal, { result = body(); done.signal() }) { usleep(1000) }
        done.wait()
        return result!
    }

    /// Waits until nothing is queued or running (tests, shutdown).
    func waitUntilIdle() {
        idle.lock()
        while pending > 0 { _ = idle.wait(until: Date().addingTimeInterval(0.05)) }
        idle.unlock()
    }
}
