import Foundation

/// One chat message as kept in history.
public struct StoredMessage: Sendable, Equatable {
    public enum Kind: String, Sendable { case `public`, `private` }
    public var kind: Kind
    /// The room of a public message; the sender's room for a private one.
    public var room: String
    public var sender: String
    public var recipient: String?
    public var text: String
    public var time: Date
    /// Private messages are shown back only to the connections that
    /// exchanged them and to the accounts (ids) on either end, if they were
    /// identified: whoever takes a guest's name later must not read what
    /// was whispered to its previous holder.
    public var senderSession: String?
    public var recipientSession: String?
    public var senderAccount: String?
    public var recipientAccount: String?

    public init(kind: Kind, room: String, sender: String, recipient: String? = nil, text: String,
                time: Date, senderSession: String? = nil, recipientSession: String? = nil,
                senderAccount: String? = nil, recipientAccount: String? = nil) {
        self.kind = kind
        self.room = room
        self.sender = sender
        self.recipient = recipient
        self.text = text
        self.time = time
        self.senderSession = senderSession
        self.recipientSession = recipientSession
        self.senderAccount = senderAccount
        self.recipientAccount = recipientAccount
    }
}

/// A ban on a name (and, where known, a network address and the account
/// the banned user was identified as) in one room.
public struct BanRecord: Sendable, Equatable {
    public var name: String
    public var address: String?
    public var account: String?
    public var bannedBy: String
    public var time: Date
    public init(name: String, address: String?, account: String? = nil, bannedBy: String, time: Date) {
        self.name = name
        self.address = address
        self.account = account
        self.bannedBy = bannedBy
        self.time = time
    }
}

/// A room as kept across restarts.
public struct RoomRecord: Sendable, Equatable {
    public var name: String
    /// The name of whoever created it, as it was then.
    public var createdBy: String?
    public var createdAt: Date
    /// The id of the account that owns it; nil when a guest created it.
    public var owner: String?
    /// Ids of the accounts named moderators, in that order.
    public var moderators: [String]
    /// Names that moderated it before Papo had accounts; they grant nothing.
    public var legacyModerators: [String]
    public var bans: [BanRecord]
    public var topic: TopicRecord?
    public var settings: RoomSettings
    public init(name: String, createdBy: String?, createdAt: Date, owner: String? = nil, moderators: [String] = [],
                legacyModerators: [String] = [], bans: [BanRecord] = [], topic: TopicRecord? = nil,
                settings: RoomSettings = RoomSettings()) {
        self.name = name
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.owner = owner
        self.moderators = moderators
        self.legacyModerators = legacyModerators
        self.bans = bans
        self.topic = topic
        self.settings = settings
    }
}

/// A change to a room's settings; nil leaves a setting as it is.
public struct RoomSettingsChange: Sendable, Equatable {
    public var secret: Bool?
    public var openTopic: Bool?
    /// A name or pattern exempted from the room's bans (IRC's +e).
    public var exceptionAdded: String?
    /// A name or pattern no longer exempted (IRC's -e).
    public var exceptionRemoved: String?
    public init(secret: Bool? = nil, openTopic: Bool? = nil, exceptionAdded: String? = nil, exceptionRemoved: String? = nil) {
        self.secret = secret
        self.openTopic = openTopic
        self.exceptionAdded = exceptionAdded
        self.exceptionRemoved = exceptionRemoved
    }
}

/// What a room's moderators may switch: a secret room is left out of room
/// lists, and its members out of NAMES and WHO, for those not in it (IRC's
/// +s); an open topic may be set by any member (IRC's -t; by default only
/// moderators set it, +t). Exceptions are names or patterns (`ba*`) that
/// no ban of the room bars (IRC's +e), in the order they were added.
public struct RoomSettings: Sendable, Equatable {
    public var secret: Bool
    public var openTopic: Bool
    public var exceptions: [String]
    public init(secret: Bool = false, openTopic: Bool = false, exceptions: [String] = []) {
        self.secret = secret
        self.openTopic = openTopic
        self.exceptions = exceptions
    }

    /// Whether the name key `key` is exempted from the room's bans.
    public func isExcepted(_ key: String) -> Bool {
        exceptions.contains { NamePattern.matches(nameKey($0), key) }
    }
}

/// A room's topic: its text, who set it, when.
public struct TopicRecord: Sendable, Equatable {
    public var text: String
    public var setBy: String
    public var time: Date
    public init(text: String, setBy: String, time: Date) {
        self.text = text
        self.setBy = setBy
        self.time = time
    }
}

/// Everything the core reloads when the server starts.
public struct PersistedState: Sendable, Equatable {
    public var accounts: [AccountRecord]
    public var rooms: [RoomRecord]
    public var totalMessages: Int
    /// Messages per user name, as they were sent.
    public var messagesByUser: [String: Int]
    public var firstMessageAt: Date?
    public init(accounts: [AccountRecord] = [], rooms: [RoomRecord] = [], totalMessages: Int = 0,
                messagesByUser: [String: Int] = [:], firstMessageAt: Date? = nil) {
        self.accounts = accounts
        self.rooms = rooms
        self.totalMessages = totalMessages
        self.messagesByUser = messagesByUser
        self.firstMessageAt = firstMessageAt
    }
}

/// One change to persist. Changes are applied in the order they were recorded.
public enum StorageChange: Sendable, Equatable {
    case message(StoredMessage)
    case roomCreated(RoomRecord)
    /// An account created or changed (its password, its admin right).
    case accountSaved(AccountRecord)
    /// An account dropped: its rooms lose their owner, its moderator rights go.
    case accountDeleted(id: String)
    /// A public key that logs the account in over SSH, added or removed.
    case accountKeyAdded(account: String, AccountKey)
    case accountKeyRemoved(account: String, fingerprint: String)
    case roomOwnerChanged(room: String, owner: String?)
    case moderatorAdded(room: String, account: String)
    case moderatorRemoved(room: String, account: String)
    case legacyModeratorRemoved(room: String, name: String)
    /// A room's topic set, or cleared (nil).
    case topicChanged(room: String, TopicRecord?)
    case roomSettingsChanged(room: String, RoomSettings)
    case banAdded(room: String, BanRecord)
    case banRemoved(room: String, name: String)
    /// A bot's stored value (JSON text); nil deletes the key.
    case botValue(owner: String, BotValueKey, value: String?)
}

/// Where one of a bot's values lives inside the bot's data (its owner is
/// the bot's declared name, or its file's): a scope, `""` for the bot's
/// own keys, `room:<name key>` or `account:<id>` for a namespace, and the key.
public struct BotValueKey: Hashable, Sendable, Comparable {
    public var scope: String
    public var key: String

    public init(scope: String = "", key: String) {
        self.scope = scope
        self.key = key
    }

    public static func < (a: BotValueKey, b: BotValueKey) -> Bool { (a.scope, a.key) < (b.scope, b.key) }
}

/// Where the chat keeps what must survive a restart. Implementations must not
/// block the caller in `record`: the core calls it while it owns the chat.
public protocol ChatStorage: AnyObject, Sendable {
    /// Reads the state saved by earlier runs.
    func load() throws -> PersistedState
    /// Reads every bot's stored values: owner → (scope, key) → JSON text.
    func loadBotData() throws -> [String: [BotValueKey: String]]
    /// Queues a change; it is written soon, in order, without blocking.
    func record(_ change: StorageChange)
    /// Delivers, off the caller's thread or at once, the last `limit` messages
    /// of `room` plus the last `limit` private messages of `viewer` (its
    /// session's, and its account's), oldest first. It sees every change
    /// recorded before the call.
    func history(room: String, viewer: HistoryViewer, limit: Int,
                 completion: @escaping @Sendable ([StoredMessage]) -> Void)
    /// Blocks until every recorded change is written.
    func flush()
    /// Runs `action` once every change recorded before this call is
    /// durable, keeping the order of calls: at once (on the caller's
    /// thread) when nothing is waiting, else right after the commit. It must
    /// be short and must not call back into the storage.
    func whenDurable(_ action: @escaping @Sendable () -> Void)
}

extension ChatStorage {
    /// A store whose changes are durable as soon as recorded (or that
    /// keeps nothing) runs `action` at once.
    public func whenDurable(_ action: @escaping @Sendable () -> Void) {
        action()
    }
}
