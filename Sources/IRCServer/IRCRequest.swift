import BotEngine

/// What an IRC command asked of the engine, carried in the reply's
/// `requestID` so that the answer, which comes back through the core's
/// outbox in order with everything else, is rendered as IRC expects.
enum IRCRequest: Equatable {
    /// An action whose text is IRC lines already rendered; an error is the
    /// numeric `command` gets for it.
    case lines(command: String, target: String)
    /// PING: the text is the token to PONG.
    case pong
    /// A chat line (PRIVMSG, NOTICE): success says nothing, an error is
    /// the numeric; NOTICE's errors are never answered (RFC 2812 3.3.2).
    case message(command: String, target: String)
    /// A command for the bot (`PRIVMSG papo :...`): replies are NOTICEs from the bot.
    case bot
    /// A `!command` in a channel: the engine says a short answer in `room`
    /// (`ChatEngine.publicAnswerPrefix`); what comes back here is a long
    /// answer or an error, for the caller alone, as NOTICEs.
    case fantasy(room: String)

    var id: String {
        switch self {
        case .lines(let command, let target): "L\t\(command)\t\(target)"
        case .pong: "P"
        case .message(let command, let target): "M\t\(command)\t\(target)"
        case .bot: "B"
        case .fantasy(let room): ChatEngine.publicAnswerPrefix + room
        }
    }

    init?(_ id: String?) {
        guard let id else { return nil }
        if id.hasPrefix(ChatEngine.publicAnswerPrefix) {
            self = .fantasy(room: String(id.dropFirst(ChatEngine.publicAnswerPrefix.count)))
            return
        }
        let parts = id.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count) {
        case ("L", 3): self = .lines(command: parts[1], target: parts[2])
        case ("P", 1): self = .pong
        case ("M", 3): self = .message(command: parts[1], target: parts[2])
        case ("B", 1): self = .bot
        default: return nil
        }
    }
}
