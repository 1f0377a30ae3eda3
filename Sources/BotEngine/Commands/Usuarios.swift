import ChatCore

extension BuiltinCommands {
    /// `/usuarios`: every connected user, with their room.
    static let usuarios = Command(
        name: "usuarios", aliases: ["users", "who"], summary: "lista os usuários conectados e suas salas"
    ) { context in
        let users = context.chat.connectedUsers()
        var lines = ["Usuários conectados (\(users.count)):"]
        for user in users {
            let role = user.role == .admin ? " (admin)" : user.role == .moderator ? " (moderador)" : ""
            lines.append("  \(user.name) — #\(user.room)\(role)")
        }
        return .reply(lines.joined(separator: "\n"))
    }
}
