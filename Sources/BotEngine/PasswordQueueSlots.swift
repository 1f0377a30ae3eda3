import ChatCore

/// Room on the password queue, where every scrypt check or hash waits its
/// turn: 8 at most, 3 per address (an address many people share, like
/// loopback, counts as one), and account changes (`/registrar`, `/senha`)
/// may take only 6, so a login always finds room. Past these: `busy`.
struct PasswordQueueSlots {
    static let total = 8
    static let perAddress = 3
    static let forChanges = 6

    enum Kind { case login, change }

    private(set) var inUse = 0
    private var byAddress: [String: Int] = [:]

    /// Takes a slot for work from `address`; false when there is none.
    mutating func take(address: String?, kind: Kind) -> Bool {
        let key = address ?? "local"
        guard inUse < (kind == .login ? Self.total : Self.forChanges),
              byAddress[key, default: 0] < Self.perAddress else { return false }
        inUse += 1
        byAddress[key, default: 0] += 1
        return true
    }

    mutating func give(address: String?) {
        let key = address ?? "local"
        inUse -= 1
        if let count = byAddress[key] { byAddress[key] = count > 1 ? count - 1 : nil }
    }
}
