import ChatCore

extension BuiltinCommands {
    /// `/usuarios [sala]`: a room's members, moderators marked; or every
    /// connected user with their rooms.
    static let usuarios = Command(
        name: "usuarios", aliases: ["users", "who"], usage: "[sala]",
        summary: "lista os usuários conectados e suas salas, ou os membros de uma sala"
    ) { context in
        if let room = context.words(limit: 2).first {
            let (name, members) = try context.chat.members(ofRoom: room)
            var lines = ["Em #\(name) (\(members.count)):"]
            for member in members { lines.append("  \(member.name)\(mark(member.role))") }
            return .reply(lines.joined(separator: "\n"))
        }
        let users = context.chat.connectedUsers()
        var lines = ["Usuários conectados (\(users.count)):"]
        for user in users {
            // The current room first, then the others in the order joined.
            let rooms = ([user.room].filter { !$0.isEmpty } + user.rooms.filter { $0 != user.room }).map { "#\($0)" }
            let role = user.role == .admin ? " (admin)"
                : user.moderates.isEmpty ? ""
                : " (moderador de \(user.moderates.map { "#\($0)" }.joined(separator: ", ")))"
            lines.append("  \(user.name) — \(rooms.isEmpty ? "em nenhuma sala" : rooms.joined(separator: ", "))\(role)")
        }
        return .reply(lines.joined(separator: "\n"))
    }

    static func mark(_ role: Role) -> String {
        role == .admin ? " (admin)" : role == .moderator ? " (moderador)" : ""
    }
}
