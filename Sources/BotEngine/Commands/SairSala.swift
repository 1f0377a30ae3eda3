import ChatCore

extension BuiltinCommands {
    /// `/sairsala [sala]`: leave a room (by default the current one); the
    /// room is told. Leaving the last one is allowed.
    static let sairsala = Command(
        name: "sairsala", aliases: ["part", "leave"], usage: "[sala]", summary: "sai de uma sala (por padrão, da atual)"
    ) { context in
        let room = context.words(limit: 2).first
        let (left, current) = try context.chat.part(context.caller, room: room)
        return .reply(current.map { "Você saiu de #\(left). Agora você fala em #\($0)." }
                      ?? "Você saiu de #\(left) e não está em nenhuma sala: use /entrar <sala>.")
    }

    /// `/sala sala`: make a room one is in the current one, silently.
    static let sala = Command(
        name: "sala", aliases: ["switch"], usage: "<sala>", summary: "passa a falar numa das suas salas"
    ) { context in
        let parts = try context.required(1, usage: "/sala <sala>")
        return .reply("Agora você fala em #\(try context.chat.switchRoom(context.caller, to: parts[0])).")
    }

    /// `/em sala texto`: say one line in another room one is in; it passes
    /// the bots' message hooks like any line.
    static let em = Command(
        name: "em", aliases: ["say"], usage: "<sala> <texto>", summary: "diz uma linha noutra das suas salas"
    ) { context in
        let parts = try context.required(2, usage: "/em <sala> <texto>")
        return try context.engine.say(parts[1], inRoom: parts[0], context: context)
    }

    /// `/aviso [#sala] texto`: says a line as a notice (IRC's NOTICE), in
    /// the current room or in `#sala`; clients show it apart, and bots
    /// never answer a notice.
    static let aviso = Command(
        name: "aviso", aliases: ["notice"], usage: "[#sala] <texto>", summary: "diz uma linha como aviso, que os bots não respondem"
    ) { context in
        let text = context.arguments
        guard !text.isEmpty else { throw ChatError.missingArgument(usage: "/aviso [#sala] <texto>") }
        if text.hasPrefix("#") {
            let parts = try context.required(2, usage: "/aviso [#sala] <texto>")
            return try context.engine.say(parts[1], inRoom: String(parts[0].dropFirst()), notice: true, context: context)
        }
        return try context.engine.say(text, inRoom: nil, notice: true, context: context)
    }
}
