import ChatCore

/// Who may run a command, checked against the caller's role in their room.
public enum Permission: String, Sendable {
    case everyone, moderator, admin

    public var requiredRole: Role {
        switch self {
        case .everyone: return .user
        case .moderator: return .moderator
        case .admin: return .admin
        }
    }
}

/// What a command handler asks the engine to do when it returns.
public enum CommandResult: Sendable, Equatable {
    /// Answer the caller with this text (empty: success with nothing to add).
    case reply(String)
    /// The handler will answer later through `CommandContext.replyLater`.
    case deferred
    /// Answer the caller with `reply`, then take them off the server
    /// (the room is told `reason`) and close their connection.
    case quit(reply: String, reason: String?)

    public static let done = CommandResult.reply("")
}

/// One entry of the command table: a built-in Swift handler or, later, a
/// command from a Lua script. Everything `/ajuda` shows comes from here.
public struct Command: Sendable {
    public typealias Handler = @Sendable (CommandContext) throws -> CommandResult

    public let name: String
    public let aliases: [String]
    /// The arguments, as shown in help: `<nome> <texto>`.
    public let usage: String
    public let summary: String
    public let permission: Permission
    /// Where the command comes from: `builtin`, or a script's file name.
    public let origin: String
    public let run: Handler
    /// More lines `/ajuda comando` shows, such as a bot command's subcommands.
    public let details: [String]

    public init(name: String, aliases: [String] = [], usage: String = "", summary: String,
                permission: Permission = .everyone, origin: String = "builtin", details: [String] = [],
                run: @escaping Handler) {
        self.details = details
        self.name = name
        self.aliases = aliases
        self.usage = usage
        self.summary = summary
        self.permission = permission
        self.origin = origin
        self.run = run
    }

    /// `/nome <novo_nome>`
    public var synopsis: String { usage.isEmpty ? "/\(name)" : "/\(name) \(usage)" }
}
