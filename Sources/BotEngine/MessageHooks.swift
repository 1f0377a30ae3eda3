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

/// The message hooks in the order they were added. Owned by the engine.
public final class HookTable: @unchecked Sendable {
    public private(set) var messageHooks: [MessageHook] = []

    public init() {}

    public func add(_ hook: MessageHook) {
        messageHooks.append(hook)
    }

    public func removeAll(from origin: String) {
        messageHooks.removeAll { $0.origin == origin }
    }
}
