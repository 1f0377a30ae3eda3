import Foundation

/// Wrong passwords per key (an address, or a name): after `maxFailures`
/// in a row the key is locked for `lockFor`. Until a right password
/// clears it, every later wrong one locks it again, each time for twice as
/// long, up to `maxLock`. So a guesser gets a handful of tries, then one
/// per lock, while a real owner waits at most `maxLock`. Keys without an
/// address (tests, embedded use) share "local".
struct PasswordLockout {
    let maxFailures: Int
    let lockFor: TimeInterval
    let maxLock: TimeInterval
    /// Past this many keys, those not locked are forgotten.
    static let maxTracked = 10_000

    private var failures: [String: Int] = [:]
    /// Locks so far since the last success, for the doubling.
    private var strikes: [String: Int] = [:]
    private var lockedUntil: [String: Date] = [:]

    init(maxFailures: Int, lockFor: TimeInterval, maxLock: TimeInterval) {
        self.maxFailures = maxFailures
        self.lockFor = lockFor
        self.maxLock = maxLock
    }

    /// `/admin`: five wrong in a row from one address lock it for 5 min.
    static func adminByAddress() -> PasswordLockout { PasswordLockout(maxFailures: 5, lockFor: 300, maxLock: 300) }
    /// Account passwords from one address: ten wrong, then 1 min doubling to 15 min.
    static func accountsByAddress() -> PasswordLockout { PasswordLockout(maxFailures: 10, lockFor: 60, maxLock: 900) }
    /// One name's password from anywhere: five wrong, then 30 s doubling to 10 min.
    static func accountsByName() -> PasswordLockout { PasswordLockout(maxFailures: 5, lockFor: 30, maxLock: 600) }

    /// When the key's lock ends, if it is locked now.
    mutating func locked(_ key: String?, now: Date) -> Date? {
        let key = key ?? "local"
        guard let until = lockedUntil[key] else { return nil }
        if until > now { return until }
        lockedUntil[key] = nil
        return nil
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
        if failures.count > Self.maxTracked { failures.removeAll() }
        if lockedUntil.count > Self.maxTracked { lockedUntil = lockedUntil.filter { $0.value > now } }
        if strikes.count > Self.maxTracked { strikes = strikes.filter { lockedUntil[$0.key] != nil } }
    }

    mutating func succeeded(_ key: String?) {
        let key = key ?? "local"
        failures[key] = nil
        strikes[key] = nil
    }
}
