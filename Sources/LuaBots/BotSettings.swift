import Foundation

/// The settings a bot declares (`papo.bot{name = "quiz", config = {rodada
/// = {type = "int", default = 30, min = 5, max = 300, help = "…"}}}`): what an
/// admin may change live with `/botconfig quiz rodada 60`. Values are kept
/// in the bot's store (scope `papo:config`), so they survive restarts.
struct BotSettings: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        case int, number, duration, boolean, word, text, choice
    }

    struct Setting: Sendable, Equatable {
        var name: String
        var kind: Kind
        var defaultValue: LuaValue
        var min: Double?
        var max: Double?
        var choices: [String] = []
        var help: String = ""
    }

    static let scope = "papo:config"
    static let fields: Set<String> = ["type", "default", "min", "max", "choices", "help"]

    /// In name order.
    var settings: [Setting]

    func setting(_ name: String) -> Setting? { settings.first { $0.name == TextHelpers.fold(name) } }

    init(_ value: LuaValue) throws {
        guard let entries = value.entries, entries.count <= 32 else {
            throw LuaValue.Refusal("'config' deve ser uma tabela de até 32 ajustes, como {rodada = {type = \"int\", default = 30}}")
        }
        settings = try entries.keys.sorted().map { key in
            guard case .string(let name) = key, name.range(of: "^[a-z_][a-z0-9_]{0,31}$", options: .regularExpression) != nil else {
                throw LuaValue.Refusal("'config': os nomes são identificadores em minúsculas")
            }
            do {
                return try Self.setting(name, entries[key]!)
            } catch {
                throw LuaValue.Refusal("'config.\(name)': \(error)")
            }
        }
    }

    private static func setting(_ name: String, _ value: LuaValue) throws -> Setting {
        guard let spec = value.entries else { throw LuaValue.Refusal("deve ser uma tabela") }
        try BotScenario.checkKeys(spec, allowed: fields, what: "campo")
        guard let typeName = spec[.string("type")]?.text, let kind = Kind(rawValue: typeName) else {
            throw LuaValue.Refusal("'type' deve ser \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let defaultValue = spec[.string("default")] else { throw LuaValue.Refusal("falta 'default'") }
        var setting = Setting(name: name, kind: kind, defaultValue: defaultValue)
        for bound in ["min", "max"] {
            guard let value = spec[.string(bound)] else { continue }
            guard [.int, .number, .duration].contains(kind), let number = value.double, number.isFinite,
                  abs(number) <= CommandArguments.largestBound else {
                throw LuaValue.Refusal("'\(bound)' é um número de até 1e15, só para int, number e duration")
            }
            if bound == "min" { setting.min = number } else { setting.max = number }
        }
        // The default has the setting's own Lua type, within range.
        let typed: Bool
        switch (kind, defaultValue) {
        case (.int, .integer), (.duration, .integer), (.number, .integer), (.number, .number), (.boolean, .boolean),
             (.word, .string), (.text, .string), (.choice, .string): typed = true
        default: typed = false
        }
        guard typed, (defaultValue.double.map { $0.isFinite && abs($0) <= CommandArguments.largestBound } ?? true) else {
            throw LuaValue.Refusal("'default' deve ser \(kind == .boolean ? "true ou false" : [.int, .duration].contains(kind) ? "um número inteiro" : kind == .number ? "um número" : "um texto")")
        }
        setting.help = spec[.string("help")]?.text.map { BotText.oneLine($0, maxCharacters: 200) } ?? ""
        if kind == .choice {
            guard let list = spec[.string("choices")]?.list, !list.isEmpty, list.allSatisfy({ $0.text != nil }) else {
                throw LuaValue.Refusal("um ajuste choice precisa de 'choices', uma lista de palavras")
            }
            setting.choices = list.compactMap(\.text)
        }
        // The default must be a value the setting itself accepts.
        setting.defaultValue = try setting.parse(setting.shown(defaultValue))
        return setting
    }
}

extension BotSettings.Setting {
    /// The value `text` sets, or why it cannot (in the words an admin reads).
    func parse(_ text: String) throws -> LuaValue {
        let raw = text.trimmingCharacters(in: .whitespaces)
        struct Refusal: Error, CustomStringConvertible { let description: String }
        func bounded(_ number: Double) throws {
            if let min, number < min { throw Refusal(description: "o mínimo é \(shown(.number(min)))") }
            if let max, number > max { throw Refusal(description: "o máximo é \(shown(.number(max)))") }
        }
        switch kind {
        case .int:
            guard let n = Int64(raw) else { throw Refusal(description: "esperava um número inteiro") }
            try bounded(Double(n))
            return .integer(n)
        case .number:
            guard let n = Double(raw.replacingOccurrences(of: ",", with: ".")), n.isFinite else {
                throw Refusal(description: "esperava um número")
            }
            try bounded(n)
            return .number(n)
        case .duration:
            guard let seconds = TextHelpers.parseDuration(raw) else { throw Refusal(description: "esperava uma duração (30s, 10m, 1h30m)") }
            try bounded(Double(seconds))
            return .integer(Int64(seconds))
        case .boolean:
            switch TextHelpers.fold(raw) {
            case "sim", "true", "ligado", "on", "1": return .boolean(true)
            case "não", "nao", "false", "desligado", "off", "0": return .boolean(false)
            default: throw Refusal(description: "esperava sim ou não")
            }
        case .word:
            guard !raw.isEmpty, !raw.contains(" ") else { throw Refusal(description: "esperava uma palavra") }
            return .string(raw)
        case .text:
            guard !raw.isEmpty, raw.count <= 500 else { throw Refusal(description: "esperava um texto de 1 a 500 caracteres") }
            return .string(BotText.oneLine(raw, maxCharacters: 500))
        case .choice:
            guard let choice = choices.first(where: { TextHelpers.fold($0) == TextHelpers.fold(raw) }) else {
                throw Refusal(description: "esperava \(choices.joined(separator: ", "))")
            }
            return .string(choice)
        }
    }

    /// A value as `/botconfig` shows it, and as `parse` reads it back.
    func shown(_ value: LuaValue) -> String {
        switch value {
        case .boolean(let b): return b ? "sim" : "não"
        case .integer(let i): return kind == .duration ? TextHelpers.formatDuration(Int(i)) : String(i)
        case .number(let d):
            if kind == .duration { return TextHelpers.formatDuration(Int(d)) }
            if kind == .int, let i = Int64(exactly: d) { return String(i) }
            return d.formatted()
        case .string(let s): return s
        case .table: return "?"
        }
    }
}
