import ChatCore

extension BuiltinCommands {
    /// `/ajuda [comando]`: the commands this caller may run, read from the table.
    static let ajuda = Command(
        name: "ajuda", aliases: ["help"], usage: "[comando]",
        summary: "lista os comandos que você pode usar"
    ) { context in
        let role = context.role
        if let name = context.words(limit: 1).first {
            let wanted = name.hasPrefix("/") ? String(name.dropFirst()) : name
            guard let command = context.table.lookup(wanted) else {
                throw ChatError.unknownCommand(wanted, suggestion: context.table.suggestion(for: wanted, role: role))
            }
            try ChatEngine.checkPermission(command, role: role, room: context.chat.roomName(of: context.caller))
            var lines = ["\(command.synopsis) — \(command.summary)"]
            lines += command.details
            if !command.aliases.isEmpty {
                lines.append("Também: " + command.aliases.map { "/\($0)" }.joined(separator: ", "))
            }
            return .reply(lines.joined(separator: "\n"))
        }
        var lines = ["Comandos disponíveis:"]
        for command in context.table.available(to: role) {
            let aliases = command.aliases.isEmpty ? "" : " (" + command.aliases.map { "/\($0)" }.joined(separator: ", ") + ")"
            lines.append("  \(command.synopsis)\(aliases) — \(command.summary)")
        }
        lines.append("Linhas sem / são enviadas à sua sala; use // para começar uma mensagem com /.")
        return .reply(lines.joined(separator: "\n"))
    }
}
