import Foundation

/// A connected user as the core keeps them.
struct ChatUser {
    let id: UserID
    var name: String
    /// Keys of the rooms joined, oldest first.
    var rooms: [String]
    /// The room plain lines go to: one of `rooms`, or nil in none.
    var current: String?
    let endpoint: any ChatEndpoint
    let address: String?
    /// A random token of this connection, used to show private history only
    /// to the connection that took part in it.
    let session: String
    let connectedAt: Date
    /// When this connection last said something in a room (its idle time starts there).
    var lastSpokeAt: Date?
    /// Admin through the shared `/admin` password (this connection only).
    var sharedAdmin = false
    /// Admin because the account it is identified as holds the right.
    var accountAdmin = false
    var isAdmin: Bool { sharedAdmin || accountAdmin }
    /// The id of the account this connection is identified as; nil for a guest.
    var account: String?
    /// The public key this connection authenticated with (SSH), if any.
    var offeredKey: AccountKey?
    /// Keys of the rooms this guest connection created, and so moderates.
    var guestRooms: [String] = []
    /// Rooms this connection was banned from (room key → the banned name's
    /// key), so a rename does not escape a ban and `/desbanir` still finds it.
    var bannedRooms: [String: String] = [:]
    /// True for front ends whose users always sit in some room (plain text,
    /// JSON): losing the last one to a kick puts them back in the default
    /// room. False for IRC, where being in no channel is normal.
    var needsARoom = true
}

/// A public view of a connected user.
public struct UserSummary: Sendable, Equatable {
    public var name: String
    /// The current room ("" in none), then every room joined, oldest first.
    public var room: String
    public var rooms: [String]
    /// The role in the current room.
    public var role: Role
    /// The joined rooms the user moderates (admins: none listed, they moderate all).
    public var moderates: [String]
    public var connectedAt: Date
    /// When the user last said something in a room; nil if not since connecting.
    public var lastSpokeAt: Date? = nil
}

/// One member of a room, as `/usuarios sala` lists them.
public struct MemberSummary: Sendable, Equatable {
    public var name: String
    public var role: Role
}

/// A public view of a room.
public struct RoomSummary: Sendable, Equatable {
    public var name: String
    public var memberCount: Int
    public var moderators: [String]
    public var topic: String?
    /// Left out of lists for those not in it (`RoomSettings.secret`).
    public var secret = false
}

/// How many rooms there may be: per user (as IRC's CHANLIMIT) and in all.
public struct RoomLimits: Sendable, Equatable {
    public var perUser: Int
    public var total: Int
    /// New rooms one address may create in an hour: rooms are kept for
    /// good, so no one fills the server's `total` with empty ones.
    public var createdPerHour: Int
    public static let maxTopicLength = 300

    public init(perUser: Int = 20, total: Int = 10_000, createdPerHour: Int = 30) {
        self.perUser = perUser
        self.total = total
        self.createdPerHour = createdPerHour
    }
}

/// What `/entrar` did.
public enum JoinOutcome: Sendable, Equatable {
    /// The room was new: the caller created it.
    case created
    /// The caller joined an existing room.
    case joined
    /// The caller was in it already: it is now their current room.
    case switched
}

/// The figures behind `/stats`.
public struct ChatStats: Sendable, Equatable {
    public var totalMessages: Int
    public var startedAt: Date
    public var firstMessageAt: Date?
    public var connectedUsers: Int
    public var rooms: Int
    /// Most active users, most messages first.
    public var topUsers: [(name: String, messages: Int)]

    public static func == (lhs: ChatStats, rhs: ChatStats) -> Bool {
        lhs.totalMessages == rhs.totalMessages && lhs.startedAt == rhs.startedAt
            && lhs.topUsers.map(\.name) == rhs.topUsers.map(\.name)
            && lhs.topUsers.map(\.messages) == rhs.topUsers.map(\.messages)
    }
}

/// What a user learns when their name is accepted.
public struct Welcome: Sendable, Equatable {
    public var id: UserID
    public var name: String
    public var room: String
    /// The account's name when the user logged in with its password.
    public var account: String?
}
