import ChatCore

extension BuiltinCommands {
    /// `/conta`: the caller's account, or whether they are a guest.
    /// `/conta apagar nome` (admins): drop an account.
    static let conta = Command(
        name: "conta", aliases: ["account"], usage: "[apagar <nome>]",
        summary: "mostra a sua conta (administradores: apagar <nome> remove uma conta)"
    ) { context in
        let parts = context.words(limit: 3)
        guard let first = parts.first else { return .reply(try describe(context.chat.accountSummary(of: context.caller))) }
        guard ["apagar", "delete"].contains(first.lowercased()) else {
            throw ChatError.invalidArgument(first, usage: "/conta [apagar <nome>]")
        }
        guard context.chat.isAdmin(context.caller) else { throw ChatError.notAdmin }
        guard parts.count == 2 else { throw ChatError.missingArgument(usage: "/conta apagar <nome>") }
        let name = try context.chat.deleteAccount(named: parts[1])
        return .reply("A conta \(name) foi apagada. O nome está livre; quem está com ele agora é convidado.")
    }

    static func describe(_ summary: AccountSummary) -> String {
        let admin = summary.isAdmin ? " Você é administrador." : ""
        guard let since = summary.registeredAt else {
            var lines = ["Você é convidado: o nome \(summary.name) não está registrado.\(admin)",
                         "Use /registrar <senha> para ficar com ele, ou /identificar <nome> <senha> para entrar na sua conta."]
            if !summary.moderatedRooms.isEmpty {
                lines.append("Você modera, enquanto estiver conectado: " + rooms(summary.moderatedRooms))
            }
            return lines.joined(separator: "\n")
        }
        var lines = ["Conta \(summary.name), registrada em \(TimeFormat.dateTime(since)). Você está identificado.\(admin)"]
        lines.append("Salas suas: " + (summary.ownedRooms.isEmpty ? "nenhuma" : rooms(summary.ownedRooms)))
        if !summary.moderatedRooms.isEmpty { lines.append("Você modera: " + rooms(summary.moderatedRooms)) }
        return lines.joined(separator: "\n")
    }

    private static func rooms(_ names: [String]) -> String {
        names.map { "#\($0)" }.joined(separator: ", ")
    }
}
