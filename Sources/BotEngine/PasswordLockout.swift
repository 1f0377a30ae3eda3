import Foundation

/// Wrong passwords per key (an address, a name, a name from one address):
/// after `maxFailures` in a row the key is locked for `lockFor`. Until a
/// right password clears it, every later wrong one locks it again, each
/// time for twice as long, up to `maxLock`. So a guesser gets a handful of
/// tries, then one per lock. Checks still running count as failures until
/// they are settled (`begin`/`finish`), so guesses sent all at once cannot
/// pass the limit. Keys without an address (tests, embedded use) share "local".
struct PasswordLockout {
    let maxFailures: Int
    let lockFor: TimeInterval
    let maxLock: TimeInterval
    /// Past this many keys, those neither locked nor in flight are forgotten.
    static let maxTracked = 10_000

    private var failures: [String: Int] = [:]
    /// Locks so far since the last success, for the doubling.
    private var strikes: [String: Int] = [:]
    private var lockedUntil: [String: Date] = [:]
    /// Checks begun and not yet finished.
    private var pending: [String: Int] = [:]

    init(maxFailures: Int, lockFor: TimeInterval, maxLock: TimeInterval) {
        self.maxFailures = maxFailures
        self.lockFor = lockFor
        self.maxLock = maxLock
    }

    /// `/admin`: five wrong in a row from one address lock it for 5 min.
    static func adminByAddress() -> PasswordLockout { PasswordLockout(maxFailures: 5, lockFor: 300, maxLock: 300) }

    /// When the key's lock ends, if it is locked now.
    mutating func locked(_ key: String?, now: Date) -> Date? {
        let key = key ?? "local"
        guard let until = lockedUntil[key] else { return nil }
        if until > now { return until }
        lockedUntil[key] = nil
        return nil
    }

    /// Starts a check for `key`, or says until when it must wait: it is
    /// locked, or the checks in flight already use up what it may try.
    mutating func begin(_ key: String?, now: Date) -> Date? {
        if let until = locked(key, now: now) { return until }
        let key = key ?? "local"
        let allowed = strikes[key, default: 0] == 0 ? maxFailures : 1
        if failures[key, default: 0] + pending[key, default: 0] >= allowed { return now.addingTimeInterval(1) }
        pending[key, default: 0] += 1
        return nil
    }

    /// Forgets a check `begin` started that will not run.
    mutating func cancel(_ key: String?) {
        let name = key ?? "local"
        if let count = pending[name] { pending[name] = count > 1 ? count - 1 : nil }
    }

    /// Settles a check `begin` started.
    mutating func finish(_ key: String?, matched: Bool, now: Date) {
        cancel(key)
        if matched { succeeded(key) } else { failed(key, now: now) }
    }

    mutating func failed(_ key: String?, now: Date) {
        let key = key ?? "local"
        let strike = strikes[key, default: 0]
        let count = failures[key, default: 0] + 1
        if count >= (strike == 0 ? maxFailures : 1) {
            failures[key] = nil
            lockedUntil[key] = now.addingTimeInterval(min(maxLock, lockFor * pow(2, Double(min(strike, 20)))))
            strikes[key] = strike + 1
        } else {
            failures[key] = count
        }
        forgetSome(now: now)
    }

    mutating func succeeded(_ key: String?) {
        let key = key ?? "local"
        failures[key] = nil
        strikes[key] = nil
        lockedUntil[key] = nil
    }

    /// Keeps memory bounded without letting a flood of keys wipe the
    /// others' history: only keys neither locked nor in flight go.
    private mutating func forgetSome(now: Date) {
        guard failures.count + strikes.count > Self.maxTracked else { return }
        lockedUntil = lockedUntil.filter { $0.value > now }
        let locked = lockedUntil, pending = pending
        failures = failures.filter { locked[$0.key] != nil || pending[$0.key] != nil }
        strikes = strikes.filter { locked[$0.key] != nil || pending[$0.key] != nil }
    }
}
