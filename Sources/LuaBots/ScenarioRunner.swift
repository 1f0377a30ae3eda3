import ChatCore
import Foundation

/// Runs one `papo.test{...}` scenario, step by step, on a fresh test chat:
/// the first step whose expectations fail ends it with the reason.
struct ScenarioRunner {
    let chat: BotTestChat
    let scenario: BotScenario

    /// nil when every step held; otherwise which step failed and why.
    func run() -> String? {
        for user in scenario.users {
            do {
                try chat.connect(user.name, account: user.account, admin: user.admin)
            } catch {
                return "o usuário \(user.name) não pôde entrar: \(error)"
            }
        }
        for (index, step) in scenario.steps.enumerated() {
            chat.recorder.clear()
            let before = chat.failures.count
            if let why = perform(step) ?? check(step, failedBefore: before) {
                return "passo \(index + 1) (\(Self.describe(step.action))): \(why)"
            }
        }
        return nil
    }

    private func perform(_ step: BotScenario.Step) -> String? {
        switch step.action {
        case .send(let user, let line):
            guard chat.users[user.lowercased()] != nil else { return "\(user) não está no chat" }
            chat.send(line, as: user)
        case .advance(let seconds):
            if !chat.advance(by: seconds) { return "timers demais vieram no caminho (mais de 10000)" }
        case .connect(let name):
            do { try chat.connect(name) } catch { return "\(name) não pôde entrar: \(error)" }
        case .disconnect(let name):
            guard chat.users[name.lowercased()] != nil else { return "\(name) não está no chat" }
            chat.disconnect(name)
        case .reload:
            chat.reload()
            if let error = chat.loadError { return "a nova versão não carregou: \(error)" }
        }
        return nil
    }

    private func check(_ step: BotScenario.Step, failedBefore: Int) -> String? {
        let failures = chat.failures
        let failure = failures.count > failedBefore ? failures.last : nil
        let events = chat.recorder.events
        if case .send(let user, _) = step.action {
            let last = chat.replies(to: user).last
            if let expected = step.error {
                guard last?.error?.code == expected else {
                    return "esperava o erro \(expected), veio " + (last.map(ExampleRunner.describe) ?? "nenhuma resposta")
                }
            } else if let error = last?.error {
                return "esperava sucesso, veio o erro \(error.code): \(error.message)" + ExampleRunner.because(failure)
            }
            if let expected = step.reply {
                guard let last else { return "nenhuma resposta" + ExampleRunner.because(failure) }
                if let why = Self.mismatch(last.text, expected, in: chat) { return why }
            }
            if let expected = step.delivered {
                guard let message = events.first(where: { $0.kind == .message && $0.sender?.lowercased() == user.lowercased() })
                else { return "a mensagem de \(user) não foi entregue" }
                if let why = Self.mismatch(message.text ?? "", expected, in: chat) { return "entregue: \(why)" }
            }
        }
        if let failure, step.error != "bot_error" { return "o script falhou: \(failure)" }
        let bot = Chat.botName
        if let says = step.says {
            let said = events.filter { $0.kind == .message && $0.sender == bot }
            if let why = compare(said, says, what: "fala", place: { $0.room }, expectedPlace: { $0.room }) { return why }
        }
        if let whispers = step.whispers {
            let whispered = events.filter { $0.kind == .privateMessage && $0.sender == bot }
            if let why = compare(whispered, whispers, what: "cochicho", place: { $0.target }, expectedPlace: { $0.to }) {
                return why
            }
        }
        return nil
    }

    /// Compares what the bot said or whispered with the expected list: the
    /// same number, in order, each text and (if given) room or recipient.
    private func compare(_ actual: [ChatEvent], _ expected: [BotScenario.Spoken], what: String,
                         place: (ChatEvent) -> String?, expectedPlace: (BotScenario.Spoken) -> String?) -> String? {
        let texts = actual.map { "\"\($0.text ?? "")\"" }.joined(separator: ", ")
        guard actual.count == expected.count else {
            return "esperava \(expected.count) \(what)(s) do bot, vieram \(actual.count)" + (texts.isEmpty ? "" : ": \(texts)")
        }
        for (event, wanted) in zip(actual, expected) {
            if let why = Self.mismatch(event.text ?? "", wanted.text, in: chat) { return "\(what): \(why)" }
            if let wantedPlace = expectedPlace(wanted), Self.key(wantedPlace) != Self.key(place(event) ?? "") {
                return "\(what) \"\(event.text ?? "")\" foi para \(place(event) ?? "?"), não para \(wantedPlace)"
            }
        }
        return nil
    }

    private static func key(_ name: String) -> String {
        (name.hasPrefix("#") ? String(name.dropFirst()) : name).lowercased()
    }

    /// nil when `text` is what `expected` asks; otherwise why not. A
    /// pattern Lua cannot read is reported as such.
    static func mismatch(_ text: String, _ expected: BotScenario.Text, in chat: BotTestChat) -> String? {
        switch expected {
        case .exact(let wanted):
            return text == wanted ? nil : "esperava \"\(wanted)\", veio \"\(text)\""
        case .pattern(let pattern):
            do {
                return try chat.matches(text, pattern) ? nil : "\"\(text)\" não casa com o padrão \"\(pattern)\""
            } catch {
                return "padrão inválido \"\(pattern)\": \(error)"
            }
        }
    }

    static func describe(_ action: BotScenario.Action) -> String {
        switch action {
        case .send(let user, let line): return "\(user): \(BotText.oneLine(line, maxCharacters: 60))"
        case .advance(let seconds): return "advance \(seconds.formatted())"
        case .connect(let name): return "connect \(name)"
        case .disconnect(let name): return "disconnect \(name)"
        case .reload: return "reload"
        }
    }
}
