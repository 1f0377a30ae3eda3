import BotEngine
import CLua
import Foundation

/// `papo.command{...}`: reading a command's declaration, with its
/// arguments, subcommands and examples.
extension LuaScript {
    /// The fields `papo.command{...}` takes.
    static let commandFields: Set<String> = ["name", "aliases", "help", "usage", "role", "args", "subcommands", "run", "examples"]

    /// `papo.command{name=, aliases=, help=, usage=, role=, args=, subcommands=, run=, examples=}`.
    /// Returns -1 with a message pushed when the declaration is wrong: an
    /// unknown field or a field of the wrong type fails the load (closed),
    /// never falls back to a default. Mistakes in `examples` only fail
    /// the test run (`testErrors`).
    func declareCommand(_ L: OpaquePointer) -> Int32 {
        func fail(_ message: String) -> Int32 {
            push(L, "papo.command: \(message)")
            return -1
        }
        guard loading else { return fail("só pode ser usado no nível principal do script") }
        guard papo_istable(L, 1) != 0 else { return fail("esperava uma tabela") }
        guard commands.count < 32 else { return fail("comandos demais num só script") }
        do {
            var command = try readCommand(L, at: 1, fields: Self.commandFields)
            if command.help.isEmpty { command.help = "comando de \(file)" }
            command.subcommands = try readSubcommands(L, of: command.name)
            switch readExamples(L) {
            case .success(let examples): command.examples = examples
            case .failure(let error): testErrors.append("\(where_(L)) /\(command.name): \(error.message)")
            }
            commands.append(command)
            return 0
        } catch {
            return fail("\(error)")
        }
    }

    /// The fields a subcommand takes.
    static let subcommandFields: Set<String> = ["name", "aliases", "help", "usage", "role", "args", "run"]

    /// The command (or subcommand) declared by the table at `t`.
    private func readCommand(_ L: OpaquePointer, at t: Int32, fields: Set<String>) throws -> ScriptCommand {
        if let unknown = unknownField(L, at: t, allowed: fields) { throw BotText.Refusal(description: unknown) }
        guard let name = try textField(L, at: t, "name"), !name.isEmpty else { throw BotText.Refusal(description: "falta 'name'") }
        let aliases = try aliasesField(L, at: t)
        let roleName = try textField(L, at: t, "role") ?? "everyone"
        guard let permission = Permission(rawValue: roleName) else {
            throw BotText.Refusal(description: "'role' deve ser everyone, moderator ou admin")
        }
        let help = try textField(L, at: t, "help").map { try BotText.declaration($0, field: "help") }
        var usage = try textField(L, at: t, "usage").map { try BotText.declaration($0, field: "usage") }
        let arguments = try readArguments(L, at: t, of: name)
        if usage == nil, let arguments { usage = arguments.usage }
        rawField(L, at: t, "run")
        guard papo_isfunction(L, -1) != 0 else {
            papo_pop(L, 1)
            throw BotText.Refusal(description: "falta a função 'run' de /\(name)")
        }
        let reference = state.reference()
        var command = ScriptCommand(name: name, aliases: aliases, help: help ?? "", usage: usage ?? "",
                                    permission: permission, function: reference)
        command.arguments = arguments
        return command
    }

    /// `args = {...}` of the table at `t`, or nil when absent.
    private func readArguments(_ L: OpaquePointer, at t: Int32, of name: String) throws -> CommandArguments? {
        rawField(L, at: t, "args")
        defer { papo_pop(L, 1) }
        var budget = LuaValue.Budget(bytes: 64 * 1024)
        do {
            guard let value = try LuaValue.read(L, at: -1, budget: &budget) else { return nil }
            return try CommandArguments(value)
        } catch {
            throw BotText.Refusal(description: "/\(name): 'args': \(error)")
        }
    }

    /// `subcommands = {{name = "definir", role = "moderator", run = ...}, ...}`:
    /// the first word of a call picks one, with its own role and arguments.
    private func readSubcommands(_ L: OpaquePointer, of parent: String) throws -> [ScriptCommand] {
        rawField(L, at: 1, "subcommands")
        defer { papo_pop(L, 1) }
        if papo_isnil(L, -1) != 0 { return [] }
        let count = lua_rawlen(L, -1)
        guard papo_istable(L, -1) != 0, count > 0, count <= 16 else {
            throw BotText.Refusal(description: "/\(parent): 'subcommands' deve ser uma lista de 1 a 16 tabelas")
        }
        let list = lua_absindex(L, -1)
        var subcommands: [ScriptCommand] = []
        var names: Set<String> = []
        for i in 1...count {
            lua_rawgeti(L, list, lua_Integer(i))
            defer { papo_pop(L, 1) }
            guard papo_istable(L, -1) != 0 else {
                throw BotText.Refusal(description: "/\(parent): subcomando \(i) deve ser uma tabela")
            }
            do {
                let sub = try readCommand(L, at: lua_absindex(L, -1), fields: Self.subcommandFields)
                for word in [sub.name] + sub.aliases {
                    guard word.range(of: "^[\\p{L}\\p{N}_-]{1,32}$", options: .regularExpression) != nil,
                          names.insert(TextHelpers.fold(word)).inserted else {
                        throw BotText.Refusal(description: "nome inválido ou repetido '\(BotText.oneLine(word, maxCharacters: 40))'")
                    }
                }
                subcommands.append(sub)
            } catch {
                throw BotText.Refusal(description: "/\(parent), subcomando \(i): \(error)")
            }
        }
        return subcommands
    }

    /// `spec.aliases`: absent, or a list of at most 16 texts.
    private func aliasesField(_ L: OpaquePointer, at t: Int32) throws -> [String] {
        rawField(L, at: t, "aliases")
        defer { papo_pop(L, 1) }
        if papo_isnil(L, -1) != 0 { return [] }
        let wrong = BotText.Refusal(description: "'aliases' deve ser uma lista de textos")
        guard papo_istable(L, -1) != 0 else { throw wrong }
        let count = lua_rawlen(L, -1)
        guard count <= 16 else { throw BotText.Refusal(description: "'aliases' tem mais de 16 nomes") }
        var aliases: [String] = []
        for i in 0..<count {
            lua_rawgeti(L, -1, lua_Integer(i + 1)) // raw: no metamethods
            defer { papo_pop(L, 1) }
            guard let alias = state.string(at: -1) else { throw wrong }
            aliases.append(alias)
        }
        return aliases
    }

    /// The first key of the table at `t` that is not in `allowed`, as
    /// an error text; nil when every key is known.
    private func unknownField(_ L: OpaquePointer, at t: Int32, allowed: Set<String>) -> String? {
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            papo_pop(L, 1)
            guard let key = state.string(at: -1) else {
                papo_pop(L, 1)
                return "as chaves da tabela devem ser nomes de campos"
            }
            if !allowed.contains(key) {
                papo_pop(L, 1)
                return "campo desconhecido '\(BotText.oneLine(key, maxCharacters: 40))' (use \(allowed.sorted().joined(separator: ", ")))"
            }
        }
        return nil
    }

    /// `spec[key]` when it is text (clipped to 200 characters), nil when it
    /// is absent; any other type is an error.
    private func textField(_ L: OpaquePointer, at t: Int32, _ key: String) throws -> String? {
        rawField(L, at: t, key)
        defer { papo_pop(L, 1) }
        if papo_isnil(L, -1) != 0 { return nil }
        guard let text = state.string(at: -1) else {
            throw BotText.Refusal(description: "'\(key)' deve ser texto, não \(state.typeName(at: -1))")
        }
        return String(text.prefix(200))
    }

    /// The fields one example may have.
    static let exampleFields: Set<String> = ["input", "as", "output", "matches", "error"]

    /// `examples = { {input = "/dado 2d6", matches = "^%a+ rolou"}, ... }`, each
    /// with optional `as` (user, moderator, admin), `output`, `matches`,
    /// `error`. Strict: an unknown key or a wrong type is an error (for the
    /// test run, not for loading).
    private func readExamples(_ L: OpaquePointer) -> Result<[BotExample], ExampleError> {
        rawField(L, at: 1, "examples")
        defer { papo_pop(L, 1) }
        var budget = LuaValue.Budget(bytes: 64 * 1024)
        let value: LuaValue?
        do { value = try LuaValue.read(L, at: -1, budget: &budget) } catch { return .failure(ExampleError("'examples': \(error)")) }
        guard let value else { return .success([]) }
        guard let list = value.list, list.count <= 16 else {
            return .failure(ExampleError("'examples' deve ser uma lista de até 16 exemplos"))
        }
        var examples: [BotExample] = []
        for (i, item) in list.enumerated() {
            let number = i + 1
            guard let entries = item.entries else { return .failure(ExampleError("exemplo \(number) deve ser uma tabela")) }
            do {
                try BotScenario.checkKeys(entries, allowed: Self.exampleFields, what: "campo")
            } catch {
                return .failure(ExampleError("exemplo \(number): \(error)"))
            }
            var texts: [String: String] = [:]
            for (key, value) in entries {
                guard let text = value.text else {
                    return .failure(ExampleError("exemplo \(number): '\(key.text)' deve ser texto"))
                }
                texts[key.text] = text
            }
            guard let input = texts["input"] else { return .failure(ExampleError("exemplo \(number) sem 'input'")) }
            guard let caller = BotExample.Caller(rawValue: texts["as"] ?? "user") else {
                return .failure(ExampleError("exemplo \(number): 'as' deve ser user, moderator ou admin"))
            }
            examples.append(BotExample(input: input, caller: caller, output: texts["output"],
                                       matches: texts["matches"], error: texts["error"]))
        }
        return .success(examples)
    }

    /// Pushes `table[key]` (the table at `t`) without running metamethods
    /// (which could raise an error inside this Swift frame).
    private func rawField(_ L: OpaquePointer, at t: Int32, _ key: String) {
        push(L, key)
        lua_rawget(L, t)
    }
}

extension ScriptCommand {
    /// What a call with `arguments` runs: the subcommand its first word
    /// names (any case, aliases too) with the text after that word, or the
    /// command itself with all of it.
    func select(_ arguments: String) -> (command: ScriptCommand, rest: String, subcommand: String?) {
        let trimmed = arguments.drop { $0 == " " || $0 == "\t" }
        let first = trimmed.prefix { $0 != " " && $0 != "\t" }
        guard !subcommands.isEmpty, !first.isEmpty else { return (self, arguments, nil) }
        let key = TextHelpers.fold(String(first))
        guard let sub = subcommands.first(where: { ([$0.name] + $0.aliases).contains { TextHelpers.fold($0) == key } }) else {
            return (self, arguments, nil)
        }
        let rest = trimmed.dropFirst(first.count).drop { $0 == " " || $0 == "\t" }
        return (sub, String(rest), sub.name)
    }

    /// Lines `/ajuda comando` adds for the subcommands:
    /// `/regras definir <texto...> — muda as regras (moderadores)`.
    var subcommandLines: [String] {
        subcommands.map { sub in
            let usage = sub.usage.isEmpty ? "" : " \(sub.usage)"
            let role = sub.permission == .everyone ? "" : sub.permission == .moderator ? " (moderadores)" : " (admins)"
            let help = sub.help.isEmpty ? "" : " — \(sub.help)"
            return "  /\(name) \(sub.name)\(usage)\(help)\(role)"
        }
    }
}

/// A command's deliberate error answer, `return papo.error(code, text)`:
/// sent as an error reply with the script's own code; not a failure.
struct CommandRefusal: Error {
    let code: String
    let message: String
}

extension LuaScript {
    /// Registry key of the metatable that marks `papo.error`'s results.
    static let errorMarkerKey = "papo.error"

    /// `papo.error(code, text)`: a value that, returned by `run`, answers
    /// the caller with an error. `code` is snake_case (`invalid_argument`,
    /// `not_found`…), `text` one line of at most 500 characters.
    func installErrorFunction() {
        let L = state.L
        papo_newtable(L)
        lua_setfield(L, papo_registryindex(), Self.errorMarkerKey)
        papo_push_function(L, { L, context in
            guard let L, let script = LuaScript.script(context) else { return 0 }
            guard let code = script.state.string(at: 1),
                  code.range(of: "^[a-z][a-z0-9_]{1,39}$", options: .regularExpression) != nil else {
                return script.fail(L, "papo.error: o código deve ser snake_case, como \"not_found\" (2 a 40 caracteres)")
            }
            guard let text = script.state.string(at: 2, maxBytes: 4000) else {
                return script.fail(L, "papo.error: esperava (código, texto)")
            }
            papo_newtable(L)
            script.state.setField("code", string: code)
            script.state.setField("text", string: BotText.oneLine(text, maxCharacters: 500))
            lua_getfield(L, papo_registryindex(), LuaScript.errorMarkerKey)
            lua_setmetatable(L, -2)
            return 1
        }, Unmanaged.passUnretained(self).toOpaque())
        lua_setfield(L, -2, "error")
    }

    /// The refusal at `index`, if it is a `papo.error` value. Inside the
    /// headroom: it runs after the call, where an allocation failure would
    /// have no protected call to return to.
    func commandError(at index: Int32) throws -> CommandRefusal? {
        let table = lua_absindex(state.L, index)
        return try state.withHeadroom { readCommandError(at: table) }
    }

    private func readCommandError(at index: Int32) -> CommandRefusal? {
        let L = state.L
        guard papo_istable(L, index) != 0, lua_getmetatable(L, index) != 0 else { return nil }
        lua_getfield(L, papo_registryindex(), Self.errorMarkerKey)
        let marked = lua_rawequal(L, -1, -2) != 0
        papo_pop(L, 2)
        guard marked else { return nil }
        let table = lua_absindex(L, index)
        push(L, "code")
        lua_rawget(L, table)
        push(L, "text")
        lua_rawget(L, table)
        defer { papo_pop(L, 2) }
        return CommandRefusal(code: state.string(at: -2) ?? "bot_error", message: state.string(at: -1) ?? "")
    }
}
