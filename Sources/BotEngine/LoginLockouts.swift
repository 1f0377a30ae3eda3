import ChatCore
import Foundation

/// How wrong account passwords are slowed (docs/PROTOCOL.md §8):
/// - per **name from one address**: five wrong, then locks of 30 s
///   doubling up to 1 h, one try per lock;
/// - per **name**, from all addresses together: twenty wrong, then 1 min
///   doubling up to 15 min, one try per lock. Addresses the account logged
///   in from before (its last 8, personal addresses only) are exempt, so
///   a crowd of guessers cannot keep the owner out from where they usually are;
/// - per **address**, for all names: ten wrong, then 1 min doubling up to
///   15 min.
/// Names without an account are not tracked (there is nothing to guard):
/// only their address counts.
struct LoginLockouts {
    private var byAddress = PasswordLockout(maxFailures: 10, lockFor: 60, maxLock: 900)
    private var byNameFromAddress = PasswordLockout(maxFailures: 5, lockFor: 30, maxLock: 3600)
    private var byName = PasswordLockout(maxFailures: 20, lockFor: 60, maxLock: 900)
    /// Personal addresses each account (by name key) logged in from, newest last.
    private var knownAddresses: [String: [String]] = [:]
    static let knownAddressesKept = 8

    fileprivate enum Lock { case address, nameFromAddress, name }

    /// A check that `begin` let run; give it back to `finish` (or `cancel`).
    struct Ticket: Sendable {
        fileprivate let account: String?
        fileprivate let address: String?
        fileprivate let keys: [(Lock, String?)]
    }

    /// Starts a check for the account `account` (its name key; nil when no
    /// account has the name) from `address`, or says until when to wait.
    mutating func begin(account: String?, address: String?, now: Date) -> Result<Ticket, LockedUntil> {
        var keys: [(Lock, String?)] = [(.address, address)]
        if let account {
            keys.append((.nameFromAddress, "\(account) \(address ?? "local")"))
            let known = address.map { knownAddresses[account, default: []].contains($0) } ?? false
            if !known { keys.append((.name, account)) }
        }
        for (index, (lock, key)) in keys.enumerated() {
            if let until = self[lock].begin(key, now: now) {
                for (begun, begunKey) in keys.prefix(index) { self[begun].cancel(begunKey) }
                return .failure(LockedUntil(date: until))
            }
        }
        return .success(Ticket(account: account, address: address, keys: keys))
    }

    struct LockedUntil: Error {
        let date: Date
    }

    /// Settles a check; a success remembers the address for the account.
    mutating func finish(_ ticket: Ticket, matched: Bool, now: Date) {
        for (lock, key) in ticket.keys { self[lock].finish(key, matched: matched, now: now) }
        guard matched, let account = ticket.account, let address = ticket.address,
              !AddressRules.isShared(address) else { return }
        var known = knownAddresses[account, default: []].filter { $0 != address }
        known.append(address)
        if knownAddresses[account] == nil, knownAddresses.count >= PasswordLockout.maxTracked {
            knownAddresses.removeAll()
        }
        knownAddresses[account] = Array(known.suffix(Self.knownAddressesKept))
    }

    /// Gives back a check that will not run.
    mutating func cancel(_ ticket: Ticket) {
        for (lock, key) in ticket.keys { self[lock].cancel(key) }
    }

    fileprivate subscript(lock: Lock) -> PasswordLockout {
        get {
            switch lock {
            case .address: byAddress
            case .nameFromAddress: byNameFromAddress
            case .name: byName
            }
        }
        // In place, so a lockout's dictionaries are never copied.
        _modify {
            switch lock {
            case .address: yield &byAddress
            case .nameFromAddress: yield &byNameFromAddress
            case .name: yield &byName
            }
        }
    }
}
