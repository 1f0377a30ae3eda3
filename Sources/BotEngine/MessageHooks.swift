import ChatCore

/// What a message hook decides about a line about to be said in a room.
public enum HookDecision: Equatable, Sendable {
    case pass
    case replace(String)
    case block(reason: String)
}

/// A line on its way to a room, as a message hook sees it: a copy taken
/// under the chat's lock, so the hook can run without it.
public struct HookInput: Sendable {
    public var user: UserID
    public var userName: String
    public var room: String
    public var role: Role
    /// The text so far (earlier hooks may have replaced it).
    public var text: String
    /// The account the sender is identified as; nil for a guest.
    public var account: AccountRef? = nil
    /// Said as a notice (`/aviso`, IRC's NOTICE).
    public var notice = false
}

/// Who a user is, for a bot that keeps data per person: the account's
/// name, and its id, which is never reused (a dropped account's name may
/// be registered again by someone else; the id is not).
public struct AccountRef: Sendable, Equatable {
    public var name: String
    public var id: String

    public init?(_ account: AccountRecord?) {
        guard let account else { return nil }
        name = account.name
        id = account.id
    }
}

/// A line the bot says because of a message a hook saw (a `papo.say` in a
/// message hook): held until that message has been said, or refused, so
/// the room never reads the answer before the line that caused it.
public struct FollowUp: Sendable, Equatable {
    public var room: String
    public var text: String

    public init(room: String, text: String) {
        self.room = room
        self.text = text
    }
}

/// A function that sees every public message before the room does. It runs
/// off the chat's lock on a batch of one user's messages (in order) and
/// answers through `decide`, once, from any thread, with one decision per
/// message (missing ones pass) and, per message, the lines the bot says
/// after it; the messages wait for it (see HookChain.swift for the deadline).
public struct MessageHook: Sendable {
    public typealias Handler = @Sendable (_ inputs: [HookInput],
                                          _ decide: @escaping @Sendable (_ decisions: [HookDecision],
                                                                         _ followUps: [[FollowUp]]) -> Void) -> Void

    /// Where the hook comes from, such as a script's file name.
    public let origin: String
    public let run: Handler

    public init(origin: String, run: @escaping Handler) {
        self.origin = origin
        self.run = run
    }
}

/// A function told of room events after they happen (arrivals,
/// departures, renames, moderation, topics, and messages once delivered).
/// It is called under the chat's lock and must only take note (queue work
/// for later), never run a script there.
public struct EventHook: Sendable {
    public typealias Handler = @Sendable (_ event: ChatEvent) -> Void

    public let origin: String
    /// The kinds this hook wants; others never reach it.
    public let kinds: Set<ChatEvent.Kind>
    public let run: Handler

    public init(origin: String, kinds: Set<ChatEvent.Kind> = EventHook.kinds, run: @escaping Handler) {
        self.origin = origin
        self.kinds = kinds.intersection(Self.kinds)
        self.run = run
    }

    /// The event kinds hooks may be told of. A `message` event comes after
    /// the message was said (past every message hook), never for the bot's own.
    public static let kinds: Set<ChatEvent.Kind> = [
        .connect, .join, .leave, .disconnect, .rename, .kick, .ban, .unban, .topic,
        .moderatorAdded, .moderatorRemoved, .message, .identify,
    ]
}

/// The hooks in the order they were added. Owned by the engine.
public final class HookTable: @unchecked Sendable {
    public private(set) var messageHooks: [MessageHook] = []
    public private(set) var eventHooks: [EventHook] = []

    /// The kinds some event hook wants: only those are queued, so a chat
    /// with no `message` listener pays nothing per message.
    public private(set) var wantedEventKinds: Set<ChatEvent.Kind> = []

    public init() {}

    public func add(_ hook: MessageHook) {
        messageHooks.append(hook)
    }

    public func add(_ hook: EventHook) {
        eventHooks.append(hook)
        wantedEventKinds.formUnion(hook.kinds)
    }

    public func removeAll(from origin: String) {
        messageHooks.removeAll { $0.origin == origin }
        eventHooks.removeAll { $0.origin == origin }
        wantedEventKinds = eventHooks.reduce(into: []) { $0.formUnion($1.kinds) }
    }
}
