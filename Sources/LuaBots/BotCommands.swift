import BotEngine
import ChatCore

/// The built-in commands that manage Lua bots: `/reload`, `/bots` and `/botconfig`.
public enum BotCommands {
    /// Adds `/reload` and `/bots` for `registry` to its table.
    public static func install(_ registry: BotRegistry, into table: CommandTable) throws {
        try table.register(Command(
            name: "reload", aliases: ["recarregar"], summary: "relê os bots da pasta bots/", permission: .admin
        ) { context in
            // Files compile off the chat's lock; the answer comes when all are in.
            let continuation = context.suspend()
            registry.reloadLater { statuses in continuation.finish(text: describe(statuses, header: "Bots recarregados")) }
            return .deferred
        })
        try table.register(Command(
            name: "bots", usage: "[log [arquivo]]",
            summary: "lista os bots carregados, seus comandos e erros; log arquivo: as últimas linhas, e segue as novas",
            permission: .admin
        ) { context in
            let words = context.words(limit: 3)
            guard let first = words.first else { return .reply(describe(registry.statuses, header: "Bots")) }
            guard first.lowercased() == "log" else {
                throw ChatError.invalidArgument(first, usage: "/bots [log [arquivo]]")
            }
            guard words.count == 2 else {
                registry.unfollowAll(context.caller)
                return .reply("Você não segue mais o log de nenhum bot.")
            }
            guard let (lines, following) = registry.log(of: words[1], follow: context.caller) else {
                throw ChatError.invalidArgument(words[1], usage: "/bots log <arquivo carregado>")
            }
            let header = lines.isEmpty ? "Nada no log de \(words[1]) ainda." : "Log de \(words[1]) (\(lines.count) linhas):"
            let follow = following ? "As próximas linhas chegam aqui; /bots log para parar."
                : "Gente demais já segue este log."
            return .reply(([header] + lines + [follow]).joined(separator: "\n"))
        })
        try table.register(botconfig(registry))
        try table.register(BotRegistry.roomSwitch(registry))
    }

    /// `/botconfig bot [ajuste [valor | padrão]]`.
    static func botconfig(_ registry: BotRegistry) -> Command {
        Command(name: "botconfig", usage: "<bot> [ajuste valor|padrão]",
                summary: "mostra ou muda os ajustes de um bot, na hora", permission: .admin) { context in
            let words = context.words(limit: 3)
            let usage = "/botconfig <bot> [ajuste valor|padrão]"
            guard let bot = words.first else { throw ChatError.missingArgument(usage: usage) }
            do {
                switch words.count {
                case 1: return .reply(try registry.describeSettings(of: bot))
                case 2: throw ChatError.missingArgument(usage: usage)
                default: return .reply(try registry.changeSetting(of: bot, words[1], to: words[2]))
                }
            } catch let refusal as BotRegistry.SettingRefusal {
                throw ChatError.botError(code: "invalid_setting", message: refusal.description)
            } catch let failure as BotStore.Failure {
                throw ChatError.botError(code: "bot_store", message: "Não deu para gravar: \(failure).")
            }
        }
    }

    static func describe(_ statuses: [BotRegistry.Status], header: String) -> String {
        let failed = statuses.filter { $0.error != nil }.count
        var lines = ["\(header): \(statuses.count - failed) ok, \(failed) com erro."]
        for status in statuses {
            var parts = status.commands.map { "/\($0)" }
            if status.messageHooks > 0 { parts.append("\(status.messageHooks) gancho(s)") }
            if status.floodRefused > 0 { parts.append("\(status.floodRefused) fala(s) recusada(s) por excesso") }
            if !status.roomsOff.isEmpty {
                parts.append("desligado em " + status.roomsOff.map { "#\($0)" }.joined(separator: ", "))
            }
            if status.failures > 0 {
                parts.append("\(status.failures) falha(s), a última: \(status.lastFailure ?? "?")")
            }
            let commands = parts.isEmpty ? "nenhum comando" : parts.joined(separator: ", ")
            if let error = status.error {
                let running = status.commands.isEmpty ? "" : " (a versão anterior continua ativa: \(commands))"
                lines.append("  ✗ \(status.file): \(error)\(running)")
            } else {
                lines.append("  ✓ \(status.file): \(commands)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
