/// Every way a chat operation can be refused. `code` is the stable,
/// machine-readable identifier sent to JSON clients; the human text lives
/// with the front ends and the bot engine, not here.
public enum ChatError: Error, Equatable, Sendable {
    case nameEmpty
    case nameTooLong(max: Int)
    case nameInvalid(String)
    case nameReserved(String)
    case nameTaken(String)
    /// The name looks like that of a user online now (`like`).
    case nameLookalike(String, like: String)
    case sameName
    case roomNameInvalid(String)
    case alreadyInRoom(String)
    case bannedFromRoom(String)
    case messageEmpty
    case messageTooLong(max: Int)
    case controlCharacters
    case invalidUTF8
    case lineTooLong(max: Int)
    case noSuchUser(String)
    case cannotTargetSelf
    case notInSameRoom(String)
    case notModerator(String)
    case notAdmin
    case targetOutranks(String)
    case notBanned(String)
    case wrongPassword
    case tooManyAttempts
    case adminDisabled
    case alreadyAdmin
    case unknownCommand(String, suggestion: String?)
    case missingArgument(usage: String)
    case invalidArgument(String, usage: String)
    /// A declared argument of a bot command did not parse: which, why.
    case badArgument(name: String, reason: String, usage: String)
    /// A declared argument of a bot command was left out.
    case missingBotArgument(name: String, usage: String)
    /// An error a bot command returned (`papo.error(code, text)`): its own code and text.
    case botError(code: String, message: String)
    case badRequest(String)
    case notConnected
    /// Flood control: this connection's lines now wait (`linesPerSecond` allowed).
    case floodSlowed(linesPerSecond: Int)
    /// Flood control: held back for too long; the connection is closed.
    case floodDisconnected
    /// No name was chosen in time; the connection is closed.
    case namingTimeout(seconds: Int)
    /// A line was begun and not finished in time; the connection is closed.
    case lineTimeout(seconds: Int)
    /// Too many wrong admin passwords from this address; locked for a while.
    case adminLockedOut(minutes: Int)
    /// The server is busy with other password checks; try again.
    case busy
    /// The server holds as many connections as it may.
    case serverFull(max: Int)
    /// The caller's address holds as many connections as one address may.
    case tooManyConnections(max: Int)
    /// A bot's command failed; `detail` (script, line, reason) is shown to admins only.
    case botFailed(command: String, detail: String?)
    /// A bot's message hook stopped the message, with this reason.
    case blockedByBot(String)
    /// A bot script has too much work waiting; the call was not run.
    case botBusy(script: String)
    /// Too many of the caller's lines wait behind one a bot is handling.
    case tooManyWaiting(max: Int)
    /// The name is registered (`like`: the registered name it looks like,
    /// when it is not the same name in another case).
    case nameRegistered(String, like: String?)
    /// The name is registered: its password must come with it.
    case passwordRequired(String)
    case passwordTooShort(min: Int)
    /// A password with control characters, or longer than any allowed.
    case passwordInvalid
    /// The caller already is the account `String`.
    case alreadyIdentified(String)
    /// The command needs the caller to be identified with an account.
    case notIdentified
    case noSuchAccount(String)
    /// Too many wrong passwords from this address or for this name.
    case loginLockedOut(seconds: Int)
    /// The same account signed in on another connection, which won.
    case sessionReplaced
    /// An identified user keeps the account's name.
    case nameIsAccount(String)
    /// Only the room's owner (or an admin) may do this.
    case notOwner(String)
    case alreadyModerator(String)
    case notAModerator(String)
    /// The default room has no moderators: only admins moderate it.
    case defaultRoomUnmoderated(String)
    /// The server has admin accounts: the shared `/admin` password is off.
    case adminByAccount
    /// This address registered as many accounts as it may for now.
    case tooManyRegistrations
    /// A message that looks like a password command was not said.
    case looksLikePassword
    /// The caller is in no room, so a plain line has nowhere to go.
    case noRoom
    /// The caller is not in that room.
    case notMember(String)
    /// The caller is in as many rooms as one user may be.
    case tooManyRooms(max: Int)
    /// The server holds as many rooms as it may.
    case roomLimitReached(max: Int)
    case topicTooLong(max: Int)
    case noSuchRoom(String)
    /// This address created as many rooms as it may this hour.
    case tooManyRoomsCreated(perHour: Int)

    /// The stable code sent to programs.
    public var code: String {
        switch self {
        case .nameEmpty: return "name_empty"
        case .nameTooLong: return "name_too_long"
        case .nameInvalid: return "name_invalid"
        case .nameReserved: return "name_reserved"
        case .nameTaken: return "name_taken"
        case .nameLookalike: return "name_lookalike"
        case .sameName: return "same_name"
        case .roomNameInvalid: return "room_name_invalid"
        case .alreadyInRoom: return "already_in_room"
        case .bannedFromRoom: return "banned"
        case .messageEmpty: return "message_empty"
        case .messageTooLong: return "message_too_long"
        case .controlCharacters: return "control_characters"
        case .invalidUTF8: return "invalid_utf8"
        case .lineTooLong: return "line_too_long"
        case .noSuchUser: return "no_such_user"
        case .cannotTargetSelf: return "cannot_target_self"
        case .notInSameRoom: return "not_in_room"
        case .notModerator: return "not_moderator"
        case .notAdmin: return "not_admin"
        case .targetOutranks: return "target_outranks"
        case .notBanned: return "not_banned"
        case .wrongPassword: return "wrong_password"
        case .tooManyAttempts: return "too_many_attempts"
        case .adminDisabled: return "admin_disabled"
        case .alreadyAdmin: return "already_admin"
        case .unknownCommand: return "unknown_command"
        case .missingArgument, .missingBotArgument: return "missing_argument"
        case .invalidArgument, .badArgument: return "invalid_argument"
        case .botError(let code, _): return code
        case .badRequest: return "bad_request"
        case .notConnected: return "not_connected"
        case .floodSlowed: return "flood_slowed"
        case .floodDisconnected: return "flood_disconnected"
        case .namingTimeout: return "naming_timeout"
        case .lineTimeout: return "line_timeout"
        case .adminLockedOut: return "admin_locked_out"
        case .busy: return "busy"
        case .serverFull: return "server_full"
        case .tooManyConnections: return "too_many_connections"
        case .botFailed: return "bot_error"
        case .blockedByBot: return "blocked"
        case .botBusy: return "bot_busy"
        case .tooManyWaiting: return "too_many_waiting"
        case .nameRegistered: return "name_registered"
        case .passwordRequired: return "password_required"
        case .passwordTooShort: return "password_too_short"
        case .passwordInvalid: return "password_invalid"
        case .alreadyIdentified: return "already_identified"
        case .notIdentified: return "not_identified"
        case .noSuchAccount: return "no_such_account"
        case .loginLockedOut: return "locked_out"
        case .sessionReplaced: return "session_replaced"
        case .nameIsAccount: return "name_is_account"
        case .notOwner: return "not_owner"
        case .alreadyModerator: return "already_moderator"
        case .notAModerator: return "not_a_moderator"
        case .defaultRoomUnmoderated: return "default_room"
        case .adminByAccount: return "admin_by_account"
        case .tooManyRegistrations: return "too_many_registrations"
        case .looksLikePassword: return "looks_like_password"
        case .noRoom: return "no_room"
        case .notMember: return "not_member"
        case .tooManyRooms: return "too_many_rooms"
        case .roomLimitReached: return "room_limit"
        case .topicTooLong: return "topic_too_long"
        case .noSuchRoom: return "no_such_room"
        case .tooManyRoomsCreated: return "too_many_new_rooms"
        }
    }
}
