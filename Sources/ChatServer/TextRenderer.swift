import BotEngine
import ChatCore

/// Renders what the server sends as plain Portuguese lines for nc and telnet.
/// Every line starts with the date and time.
public enum TextRenderer {
    public static func render(_ item: Outgoing) -> String {
        switch item {
        case .event(let event): return line(for: event)
        case .reply(let reply): return render(reply)
        }
    }

    public static func line(for event: ChatEvent) -> String {
        let stamp = "[\(TimeFormat.dateTime(event.time))]"
        let room = event.room.map { "#\($0)" } ?? ""
        let who = event.sender ?? "?"
        let target = event.target ?? "?"
        switch event.kind {
        case .message where event.notice: return "\(stamp) \(room) -\(who)- \(event.text ?? "")"
        case .message: return "\(stamp) \(room) <\(who)> \(event.text ?? "")"
        case .privateMessage: return "\(stamp) [privado] \(who) → \(target): \(event.text ?? "")"
        case .connect: return "\(stamp) \(room) * \(who) entrou no chat"
        case .disconnect:
            let reason = event.text.map { " (\($0))" } ?? ""
            return "\(stamp) \(room) * \(who) saiu do chat\(reason)"
        case .join: return "\(stamp) \(room) * \(who) entrou na sala"
        case .leave:
            return event.target.map { "\(stamp) \(room) * \(who) foi para #\($0)" } ?? "\(stamp) \(room) * \(who) saiu da sala"
        case .rename: return "\(stamp) \(room) * \(who) agora se chama \(target)"
        case .kick: return "\(stamp) \(room) * \(who) expulsou \(target)" + (event.text.map { " (\($0))" } ?? "")
        case .ban: return "\(stamp) \(room) * \(who) baniu \(target)"
        case .unban: return "\(stamp) \(room) * \(who) retirou o banimento de \(target)"
        case .admin: return "\(stamp) \(room) * \(who) agora é administrador"
        case .topic:
            return event.text.map { "\(stamp) \(room) * \(who) mudou o tópico para: \($0)" }
                ?? "\(stamp) \(room) * \(who) apagou o tópico"
        // Tells a client which room is current; a plain-text user reads it in the replies.
        case .current: return ""
        case .moderatorAdded: return "\(stamp) \(room) * \(who) deu a moderação da sala a \(target)"
        case .moderatorRemoved: return "\(stamp) \(room) * \(who) tirou a moderação da sala de \(target)"
        case .settings:
            var parts: [String] = []
            if let secret = event.settingsChange?.secret { parts.append(secret ? "tornou a sala secreta" : "tornou a sala pública") }
            if let open = event.settingsChange?.openTopic {
                parts.append(open ? "deixou qualquer membro mudar o tópico" : "deixou só moderadores mudarem o tópico")
            }
            if let added = event.settingsChange?.exceptionAdded { parts.append("isentou \(added) dos banimentos da sala") }
            if let removed = event.settingsChange?.exceptionRemoved { parts.append("retirou a isenção de \(removed)") }
            return "\(stamp) \(room) * \(who) " + parts.joined(separator: " e ")
        case .shutdown: return "\(stamp) * O servidor está sendo encerrado. Até logo!"
        case .identify: return ""
        }
    }

    /// Success with no text renders as nothing: the events already showed it.
    static func render(_ reply: Reply) -> String {
        if reply.error == nil && reply.text.isEmpty && reply.items.isEmpty { return "" }
        let stamp = "[\(TimeFormat.dateTime(reply.time))]"
        if let error = reply.error { return "\(stamp) [erro] \(error.message)" }
        var lines = reply.text.isEmpty ? [] : reply.text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "\(stamp) [papo] \($0)" }
        lines += reply.items.map { "  " + line(for: $0) }
        return lines.joined(separator: "\n")
    }

    static func greeting() -> String {
        "Bem-vindo ao Papo! Qual é o seu nome? (ou envie {\"type\":\"hello\",\"name\":\"...\"} para o modo JSON)"
    }

    static func welcome(_ welcome: Welcome) -> String {
        let account = welcome.account == nil ? "" : " Você entrou na sua conta."
        return "Olá, \(welcome.name)!\(account) Você está em #\(welcome.room). Digite /ajuda para ver os comandos."
    }

    static func namePrompt(after error: ChatError) -> String {
        "\(error.message) Qual é o seu nome?"
    }
}
