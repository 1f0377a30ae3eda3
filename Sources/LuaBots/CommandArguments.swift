import ChatCore
import Foundation

/// The arguments a bot command declares (`args = {{name = "tempo", type =
/// "duration"}, ...}`): read once at load, then used to parse each call's
/// text before any Lua runs, so a usage error costs the script nothing and
/// comes back as a real error (`missing_argument`, `invalid_argument`) with
/// a usage line generated from the declaration.
struct CommandArguments: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        case word, int, number, duration, user, room, choice, rest
    }

    struct Argument: Sendable, Equatable {
        var name: String
        var kind: Kind
        var optional = false
        /// Given to the script when an optional argument is left out.
        var defaultValue: LuaValue?
        /// Bounds of an `int`, a `number` or a `duration` (seconds).
        var min: Double?
        var max: Double?
        /// The words a `choice` accepts.
        var choices: [String] = []
        /// A `user` must be connected now (the name comes back as spelt).
        var online = false
    }

    var arguments: [Argument]

    static let fields: Set<String> = ["name", "type", "optional", "default", "min", "max", "choices", "online"]
    static let maxArguments = 16
    /// Largest bound or setting a declaration may give (about 31 million years in seconds).
    static let largestBound = 1e15

    /// Reads `args = {...}`; throws naming what is wrong.
    init(_ value: LuaValue) throws {
        guard let list = value.list, list.count <= Self.maxArguments else {
            throw LuaValue.Refusal("'args' deve ser uma lista de até \(Self.maxArguments) argumentos")
        }
        var seen: Set<String> = []
        arguments = try list.enumerated().map { index, item in
            guard let entries = item.entries else { throw LuaValue.Refusal("argumento \(index + 1) deve ser uma tabela") }
            do {
                let argument = try Self.argument(entries)
                guard seen.insert(argument.name).inserted else { throw LuaValue.Refusal("nome repetido '\(argument.name)'") }
                return argument
            } catch {
                throw LuaValue.Refusal("argumento \(index + 1): \(error)")
            }
        }
        if let rest = arguments.firstIndex(where: { $0.kind == .rest }), rest != arguments.count - 1 {
            throw LuaValue.Refusal("o argumento do tipo rest deve ser o último")
        }
        if let optional = arguments.firstIndex(where: \.optional),
           arguments[optional...].contains(where: { !$0.optional }) {
            throw LuaValue.Refusal("argumentos opcionais só podem vir depois dos obrigatórios")
        }
    }

    private static func argument(_ entries: [LuaValue.LuaKey: LuaValue]) throws -> Argument {
        try BotScenario.checkKeys(entries, allowed: fields, what: "campo")
        guard let name = entries[.string("name")]?.text,
              name.range(of: "^[a-z_][a-z0-9_]{0,31}$", options: .regularExpression) != nil else {
            throw LuaValue.Refusal("'name' deve ser um identificador (letras minúsculas, dígitos, _)")
        }
        let typeName = try entries[.string("type")].map { value -> String in
            guard let text = value.text else { throw LuaValue.Refusal("'type' deve ser texto") }
            return text
        } ?? "word"
        guard let kind = Kind(rawValue: typeName) else {
            throw LuaValue.Refusal("'type' deve ser \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var argument = Argument(name: name, kind: kind)
        if let optional = entries[.string("optional")] {
            guard case .boolean(let flag) = optional else { throw LuaValue.Refusal("'optional' deve ser true ou false") }
            argument.optional = flag
        }
        if let value = entries[.string("default")] {
            if case .table = value { throw LuaValue.Refusal("'default' deve ser texto, número ou booleano") }
            argument.defaultValue = value
            argument.optional = true
        }
        for bound in ["min", "max"] {
            guard let value = entries[.string(bound)] else { continue }
            guard [.int, .number, .duration].contains(kind), let number = value.double, number.isFinite else {
                throw LuaValue.Refusal("'\(bound)' é um número, só para int, number e duration")
            }
            // Within what an integer holds exactly, so bounds convert without trapping.
            guard abs(number) <= CommandArguments.largestBound else {
                throw LuaValue.Refusal("'\(bound)' vai de -\(Int64(CommandArguments.largestBound)) a \(Int64(CommandArguments.largestBound))")
            }
            if bound == "min" { argument.min = number } else { argument.max = number }
        }
        if let choices = entries[.string("choices")] {
            guard kind == .choice, let list = choices.list, !list.isEmpty, list.count <= 64,
                  let words = Optional(list.compactMap(\.text)), words.count == list.count,
                  words.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else {
                throw LuaValue.Refusal("'choices' é uma lista de palavras, só para choice")
            }
            argument.choices = words
        } else if kind == .choice {
            throw LuaValue.Refusal("um argumento choice precisa de 'choices'")
        }
        if let online = entries[.string("online")] {
            guard kind == .user, case .boolean(let flag) = online else {
                throw LuaValue.Refusal("'online' é true ou false, só para user")
            }
            argument.online = flag
        }
        return argument
    }

    /// `<tempo> <texto...>`, `[n]`, `<pedra|papel|tesoura>`.
    var usage: String {
        arguments.map { argument in
            var shown = argument.kind == .choice ? argument.choices.joined(separator: "|") : argument.name
            if argument.kind == .rest { shown += "..." }
            return argument.optional ? "[\(shown)]" : "<\(shown)>"
        }.joined(separator: " ")
    }

    /// The values of `text`'s arguments, by name, checked against the
    /// declaration; `chat` answers the `online` users and rooms. Under the
    /// chat's lock; pure Swift, bounded by the line's length.
    func parse(_ text: String, synopsis: String, chat: Chat) throws -> [String: LuaValue] {
        var rest = Substring(text)
        var values: [String: LuaValue] = [:]
        func nextWord() -> Substring? {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard !rest.isEmpty else { return nil }
            let word = rest.prefix { $0 != " " && $0 != "\t" }
            rest = rest.dropFirst(word.count)
            return word
        }
        for argument in arguments {
            let raw: String?
            if argument.kind == .rest {
                let trimmed = rest.trimmingCharacters(in: .whitespaces)
                rest = ""
                raw = trimmed.isEmpty ? nil : trimmed
            } else {
                raw = nextWord().map(String.init)
            }
            guard let raw else {
                if argument.optional {
                    if let value = argument.defaultValue { values[argument.name] = value }
                    continue
                }
                throw ChatError.missingBotArgument(name: argument.name, usage: synopsis)
            }
            values[argument.name] = try value(of: raw, for: argument, synopsis: synopsis, chat: chat)
        }
        if let extra = nextWord() {
            throw ChatError.badArgument(name: "", reason: "argumento a mais: \"\(BotText.oneLine(String(extra), maxCharacters: 40))\"",
                                        usage: synopsis)
        }
        return values
    }

    private func value(of raw: String, for argument: Argument, synopsis: String, chat: Chat) throws -> LuaValue {
        func bad(_ reason: String) -> ChatError {
            .badArgument(name: argument.name, reason: "\"\(BotText.oneLine(raw, maxCharacters: 40))\" \(reason)", usage: synopsis)
        }
        func bounded(_ number: Double, _ shown: (Double) -> String) throws {
            if let min = argument.min, number < min { throw bad("é menor que \(shown(min))") }
            if let max = argument.max, number > max { throw bad("é maior que \(shown(max))") }
        }
        switch argument.kind {
        case .word, .rest:
            return .string(raw)
        case .int:
            guard let number = Int64(raw) else { throw bad("não é um número inteiro") }
            try bounded(Double(number)) { String(Int64($0)) }
            return .integer(number)
        case .number:
            guard let number = Double(raw.replacingOccurrences(of: ",", with: ".")), number.isFinite else {
                throw bad("não é um número")
            }
            try bounded(number) { $0.formatted() }
            return .number(number)
        case .duration:
            guard let seconds = TextHelpers.parseDuration(raw) else { throw bad("não é uma duração (30s, 10m, 1h30m, 2d)") }
            try bounded(Double(seconds)) { TextHelpers.formatDuration(Int($0)) }
            return .integer(Int64(seconds))
        case .choice:
            guard let choice = argument.choices.first(where: { TextHelpers.fold($0) == TextHelpers.fold(raw) }) else {
                throw bad("não é \(argument.choices.joined(separator: ", "))")
            }
            return .string(choice)
        case .user:
            let name = raw.hasPrefix("@") ? String(raw.dropFirst()) : raw
            if argument.online {
                guard let online = chat.onlineName(name) else { throw ChatError.noSuchUser(name) }
                return .string(online)
            }
            guard case .success(let clean) = NameRules.userName(name) else { throw bad("não é um nome de usuário") }
            return .string(chat.onlineName(clean) ?? clean)
        case .room:
            guard let room = chat.existingRoomName(raw) else { throw ChatError.noSuchRoom(raw) }
            return .string(room)
        }
    }
}
