import Foundation

/// A registered name: a person proven by a password. Its `id` is random,
/// never changes and is never reused, so the rooms, rights, bans and
/// private history keyed on it follow the person, and an account dropped
/// and registered again by someone else starts with nothing.
public struct AccountRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The password's scrypt hash (`PasswordHash.storedForm`), never the password.
    public var credential: String
    public var createdAt: Date
    public var isAdmin: Bool
    /// Public keys that log the account in over SSH.
    public var keys: [AccountKey]

    public init(id: String = AccountRecord.newID(), name: String, credential: String, createdAt: Date,
                isAdmin: Bool = false, keys: [AccountKey] = []) {
        self.id = id
        self.name = name
        self.credential = credential
        self.createdAt = createdAt
        self.isAdmin = isAdmin
        self.keys = keys
    }

    /// 128 random bits, in hex.
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}

/// Proof, from the bot engine, that a password matched `credential`, the
/// stored hash of account `accountID`. The chat accepts it only while the
/// account still has that hash (a password changed or an account dropped
/// during the check voids it).
public struct VerifiedLogin: Sendable, Equatable {
    public var accountID: String
    public var credential: String
    public init(accountID: String, credential: String) {
        self.accountID = accountID
        self.credential = credential
    }
}

/// What `/conta` shows about the caller.
public struct AccountSummary: Sendable, Equatable {
    public var name: String
    /// nil for a guest.
    public var registeredAt: Date?
    public var isAdmin: Bool
    /// Rooms the account owns, and rooms it moderates without owning.
    public var ownedRooms: [String]
    public var moderatedRooms: [String]
}

/// Who is asking for history: private messages are shown to the
/// connection that exchanged them and, for an identified user, to the
/// account on either end.
public struct HistoryViewer: Sendable, Equatable {
    public var session: String
    public var account: String?
    public init(session: String, account: String? = nil) {
        self.session = session
        self.account = account
    }
}
