import ChatCore

/// What a message hook decides about a line about to be said in a room.
public enum HookDecision: Equatable, Sendable {
    case pass
    case replace(String)
    case block(reason: String)
}

/// A function that sees every public message before the room does.
public struct MessageHook: Sendable {
    public typealias Handler = @Sendable (_ context: CommandContext, _ text: String) throws -> HookDecision

    /// Where the hook comes from, such as a script's file name.
    public let origin: String
    public let run: Handler

    public init(origin: String, run: @escaping Handler) {
        self.origin = origin
        self.run = run
    }
}

/// A function told of arrivals, departures and renames after they happen.
public struct EventHook: Sendable {
    public typealias Handler = @Sendable (_ chat: Chat, _ event: ChatEvent) throws -> Void

    public let origin: String
    public let run: Handler

    public init(origin: String, run: @escaping Handler) {
        self.origin = origin
        self.run = run
    }

    /// The event kinds hooks are told of.
    public static let kinds: Set<ChatEvent.Kind> = [.connect, .join, .leave, .disconnect, .rename]
}

/// The hooks in the order they were added. Owned by the engine.
public final class HookTable: @unchecked Sendable {
    public private(set) var messageHooks: [MessageHook] = []
    public private(set) var eventHooks: [EventHook] = []

    public init() {}

    public func add(_ hook: MessageHook) {
        messageHooks.append(hook)
    }

    public func add(_ hook: EventHook) {
        eventHooks.append(hook)
    }

    public func removeAll(from origin: String) {
        messageHooks.removeAll { $0.origin == origin }
        eventHooks.removeAll { $0.origin == origin }
    }
}
