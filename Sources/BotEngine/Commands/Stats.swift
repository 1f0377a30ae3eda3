import ChatCore

extension BuiltinCommands {
    /// `/stats`: total messages, uptime, most active users.
    static let stats = Command(
        name: "stats", aliases: ["estatisticas"], summary: "mostra mensagens enviadas, tempo no ar e usuários mais ativos"
    ) { context in
        let chat = context.chat
        let stats = chat.stats()
        let since = stats.firstMessageAt.map { " (desde \(TimeFormat.dateTime($0)))" } ?? ""
        var lines = [
            "Estatísticas do chat:",
            "  mensagens enviadas: \(stats.totalMessages)\(since)",
            "  no ar há: \(TimeFormat.duration(chat.now.timeIntervalSince(stats.startedAt))) (desde \(TimeFormat.dateTime(stats.startedAt)))",
            "  conectados agora: \(stats.connectedUsers) · salas: \(stats.rooms)",
        ]
        if stats.topUsers.isEmpty {
            lines.append("  mais ativos: ninguém falou ainda")
        } else {
            lines.append("  mais ativos: " + stats.topUsers.map { "\($0.name) (\($0.messages))" }.joined(separator: ", "))
        }
        return .reply(lines.joined(separator: "\n"))
    }
}
