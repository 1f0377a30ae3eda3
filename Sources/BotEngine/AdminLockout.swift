import Foundation

/// Wrong `/admin` passwords per address: after `maxFailures` in a row from
/// one address, `/admin` is refused from it for `lockFor`. Connections
/// without an address (tests, embedded use) share the key "local".
struct AdminLockout {
    static let maxFailures = 5
    static let lockFor: TimeInterval = 5 * 60
    /// Past this many addresses, those not locked are forgotten.
    static let maxTracked = 10_000

    private var failures: [String: Int] = [:]
    private var lockedUntil: [String: Date] = [:]

    /// When the address's lockout ends, if it is locked now.
    mutating func locked(_ address: String?, now: Date) -> Date? {
        let key = address ?? "local"
        guard let until = lockedUntil[key] else { return nil }
        if until > now { return until }
        lockedUntil[key] = nil
        return nil
    }

    mutating func failed(_ address: String?, now: Date) {
        let key = address ?? "local"
        let count = failures[key, default: 0] + 1
        if count >= Self.maxFailures {
            failures[key] = nil
            lockedUntil[key] = now.addingTimeInterval(Self.lockFor)
        } else {
            failures[key] = count
        }
        if failures.count > Self.maxTracked { failures.removeAll() }
        if lockedUntil.count > Self.maxTracked { lockedUntil = lockedUntil.filter { $0.value > now } }
    }

    mutating func succeeded(_ address: String?) {
        failures[address ?? "local"] = nil
    }
}
