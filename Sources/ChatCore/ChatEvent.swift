import Foundation

/// A protocol-neutral thing that happened in the chat. Front ends render it
/// (plain text, JSON, later IRC or SSH); the core never formats a line.
public struct ChatEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// `sender` said `text` in `room`.
        case message
        /// `sender` whispered `text` to `target`.
        case privateMessage = "private"
        /// `sender` arrived in `room` (from another room).
        case join
        /// `sender` left `room` (`target`: the room they went to, if any;
        /// `text`: their reason, if they gave one).
        case leave
        /// `sender` connected to the server (and so entered `room`).
        case connect
        /// `sender` left the server from `room`; `text` is their reason, if any.
        case disconnect
        /// `sender` is now called `target`.
        case rename
        /// `sender` set the topic of `room` to `text` (nil: cleared it).
        case topic
        /// Only to the user concerned: their current room is now `room`
        /// (nil: they are in no room). Plain text shows nothing.
        case current
        /// `sender` (a moderator) removed `target` from `room` (`text`: why, if said).
        case kick
        /// `sender` (a moderator) removed and barred `target` from `room`;
        /// with `text` `banOfAbsentName`, only barred a name nobody there had.
        case ban
        /// `sender` lifted the ban on `target` in `room`.
        case unban
        /// `sender` became a server admin.
        case admin
        /// `sender` (the owner or an admin) made `target` a moderator of `room`.
        case moderatorAdded = "op"
        /// `sender` took moderation of `room` away from `target`.
        case moderatorRemoved = "deop"
        /// `sender` changed `room`'s settings: `settingsChange` says how.
        case settings
        /// The server is shutting down.
        case shutdown
        /// `sender`'s connection is now the account `senderAccount`: it
        /// registered, identified, or logged in when connecting. Only the
        /// bot engine's observer is told; no front end receives it.
        case identify
    }

    public var kind: Kind
    /// The `text` of a `ban` that removed nobody.
    public static let banOfAbsentName = "name-only"
    public var room: String?
    public var sender: String?
    public var target: String?
    public var text: String?
    public var time: Date
    /// A `message` said as a notice (IRC's NOTICE, `/aviso`): shown apart,
    /// and bots never answer it, so two bots cannot loop on each other.
    public var notice = false
    /// What a `settings` event changed (nil fields: unchanged).
    public var settingsChange: RoomSettingsChange? = nil
    /// The account id of an identified sender of a message: for the bot
    /// engine (a bot keeps points per account); no front end shows it.
    public var senderAccount: String? = nil

    public init(kind: Kind, room: String? = nil, sender: String? = nil, target: String? = nil,
                text: String? = nil, time: Date) {
        self.kind = kind
        self.room = room
        self.sender = sender
        self.target = target
        self.text = text
        self.time = time
    }
}

/// The answer to one command (or chat line): success with text and optional
/// items, or an error. `requestID` carries a JSON client's correlation id.
public struct Reply: Sendable, Equatable {
    public var requestID: String?
    public var error: ChatError?
    public var text: String
    /// Structured rows that come with the reply, such as history entries.
    public var items: [ChatEvent]
    public var time: Date
    /// Sent by the server on its own, not in answer to one of the user's
    /// lines (the account was dropped; it signed in elsewhere). JSON shows
    /// it as an `error` or a `notice` object, never as a `result`.
    public var unprompted: Bool

    public var ok: Bool { error == nil }

    public init(requestID: String? = nil, error: ChatError? = nil, text: String = "",
                items: [ChatEvent] = [], time: Date, unprompted: Bool = false) {
        self.requestID = requestID
        self.error = error
        self.text = text
        self.items = items
        self.time = time
        self.unprompted = unprompted
    }
}

/// Anything the server sends to a connected user.
public enum Outgoing: Sendable, Equatable {
    case event(ChatEvent)
    case reply(Reply)
}
