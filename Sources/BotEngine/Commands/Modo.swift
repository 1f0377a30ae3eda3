import ChatCore

extension BuiltinCommands {
    /// `/modo [+s|-s|+t|-t|+e nome|-e nome]`: shows the current room's
    /// settings, or changes them (moderators): `+s` makes it secret (left
    /// out of `/salas` and IRC's LIST, NAMES and WHO for those not in it),
    /// `-t` lets every member set the topic (`+t`, the default: only
    /// moderators), `+e` exempts a name or pattern from the room's bans.
    /// The letters are IRC's, so `MODE #sala +s` and `/modo +s` are one thing.
    static let modo = Command(
        name: "modo", aliases: ["mode"], usage: "[+s | -s | +t | -t | +e <nome> | -e <nome>]",
        summary: "mostra ou muda os modos da sala: +s secreta, -t tópico livre, +e isenta de banimentos",
        permission: .moderator
    ) { context in
        guard let room = context.chat.roomName(of: context.caller) else { throw ChatError.noRoom }
        guard !context.arguments.isEmpty else {
            let settings = try context.chat.settings(ofRoom: room, for: context.caller).settings
            let exceptions = settings.exceptions.isEmpty ? "" : "\nIsentos de banimento: " + settings.exceptions.joined(separator: ", ")
            return .reply("Modos de #\(room): \(Self.describe(settings))" + exceptions)
        }
        try context.chat.changeSettings(by: context.caller, try Self.parseModes(context.arguments))
        return .done
    }

    /// `+s-t`, `+s -t`, `-s`, `+e ba*`: the change they ask for.
    static func parseModes(_ text: String) throws -> RoomSettingsChange {
        var change = RoomSettingsChange()
        let words = text.split(separator: " ").map(String.init)
        if let first = words.first, first == "+e" || first == "-e" {
            guard words.count == 2 else { throw ChatError.missingArgument(usage: "/modo \(first) <nome | padrão>") }
            if first == "+e" { change.exceptionAdded = words[1] } else { change.exceptionRemoved = words[1] }
            return change
        }
        var adding: Bool?
        for letter in text where letter != " " {
            switch letter {
            case "+", "-": adding = letter == "+"
            case "s", "t":
                guard let adding else { throw ChatError.missingArgument(usage: "/modo [+s | -s | +t | -t]") }
                if letter == "s" { change.secret = adding } else { change.openTopic = !adding }
            default:
                throw ChatError.badRequest("modo desconhecido '\(letter)': use +s, -s, +t, -t, +e <nome> ou -e <nome>")
            }
        }
        guard change != RoomSettingsChange() else { throw ChatError.missingArgument(usage: "/modo [+s | -s | +t | -t]") }
        return change
    }

    /// `+t (pública; só moderadores mudam o tópico)` and the like.
    static func describe(_ settings: RoomSettings) -> String {
        let letters = "+" + (settings.secret ? "s" : "") + (settings.openTopic ? "" : "t")
        let visibility = settings.secret ? "secreta" : "pública"
        let topic = settings.openTopic ? "qualquer membro muda o tópico" : "só moderadores mudam o tópico"
        return "\(letters == "+" ? "nenhum" : letters) (\(visibility); \(topic))"
    }
}
