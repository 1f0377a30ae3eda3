import ChatCore

extension BuiltinCommands {
    /// `/moderador nome`: the room's owner (or an admin) makes an account a
    /// moderator of the room. An admin naming one in a room without owner
    /// hands the room to that account.
    static let moderador = Command(
        name: "moderador", aliases: ["op"], usage: "<nome>", summary: "torna uma conta moderadora da sala",
        permission: .moderator
    ) { context in
        let parts = try context.required(1, usage: "/moderador <nome>")
        let (name, owner) = try context.chat.addModerator(by: context.caller, name: parts[0])
        let room = context.chat.roomName(of: context.caller) ?? ""
        return .reply(owner ? "\(name) agora é dono de #\(room)." : "\(name) agora é moderador de #\(room).")
    }

    /// `/desmoderador nome`: the owner (or an admin) takes the rights back.
    static let desmoderador = Command(
        name: "desmoderador", aliases: ["deop"], usage: "<nome>", summary: "tira a moderação da sala de uma conta",
        permission: .moderator
    ) { context in
        let parts = try context.required(1, usage: "/desmoderador <nome>")
        let name = try context.chat.removeModerator(by: context.caller, name: parts[0])
        return .reply("\(name) não modera mais #\(context.chat.roomName(of: context.caller) ?? "").")
    }
}
