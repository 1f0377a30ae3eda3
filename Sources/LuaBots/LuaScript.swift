import BotEngine
import CLua
import ChatCore
import Foundation

/// A command a script declared with `papo.command{...}`.
struct ScriptCommand {
    var name: String
    var aliases: [String]
    var help: String
    var usage: String
    var permission: Permission
    /// Registry reference of the `run` function.
    var function: Int32
}

/// One loaded `.lua` file: its own sandboxed state and the commands it
/// declared. Built off to the side on load; swapped in only if all is well.
final class LuaScript {
    let file: String
    let state: LuaState
    private(set) var commands: [ScriptCommand] = []
    /// Registry references of the functions given to `papo.on_message`.
    private(set) var messageHooks: [Int32] = []
    /// The command or hook call in progress, for `papo.say`.
    private var current: CommandContext?

    let store: BotStore

    /// Compiles and runs `source`; throws with file and line if it fails.
    init(file: String, source: String, store: BotStore, limits: LuaState.Limits = .init()) throws {
        self.file = file
        self.store = store
        state = LuaState(limits: limits)
        installAPI()
        do {
            try state.run(source: source, chunkName: file)
        } catch {
            state.close()
            throw error
        }
    }

    func unload() {
        state.close()
    }

    /// Runs a command's `run(ctx)` and returns its text answer.
    func run(_ command: ScriptCommand, context: CommandContext) throws -> String {
        let L = state.L
        state.withHeadroom {
            state.pushReference(command.function)
            papo_newtable(L)
            state.setField("user", string: context.callerName)
            state.setField("room", string: context.chat.roomName(of: context.caller) ?? "")
            state.setField("role", string: context.role.description)
            state.setField("args", string: context.arguments)
            state.setField("words", strings: context.words(limit: 64))
            state.setField("members", strings: context.chat.roomMembers(of: context.caller))
            state.setField("command", string: command.name)
        }
        try during(context) { try state.call(arguments: 1, results: 1) }
        defer { papo_pop(L, 1) }
        if papo_isnil(L, -1) != 0 { return "" }
        if let text = state.string(at: -1) { return text }
        if lua_type(L, -1) == LUA_TNUMBER {
            return lua_isinteger(L, -1) != 0 ? String(lua_tointegerx(L, -1, nil)) : String(lua_tonumberx(L, -1, nil))
        }
        throw LuaFailure(message: "\(file): /\(command.name) devolveu um valor que não é texto", stoppedByLimit: false)
    }

    // MARK: The API scripts see

    private func installAPI() {
        let L = state.L
        papo_newtable(L)
        papo_push_function(L, { L, context in
            guard let L, let context else { return 0 }
            return Unmanaged<LuaScript>.fromOpaque(context).takeUnretainedValue().declareCommand(L)
        }, Unmanaged.passUnretained(self).toOpaque())
        lua_setfield(L, -2, "command")
        papo_push_function(L, { L, context in
            guard let L, let context else { return 0 }
            return Unmanaged<LuaScript>.fromOpaque(context).takeUnretainedValue().declareMessageHook(L)
        }, Unmanaged.passUnretained(self).toOpaque())
        lua_setfield(L, -2, "on_message")
        papo_push_function(L, { L, context in
            guard let L, let context else { return 0 }
            return Unmanaged<LuaScript>.fromOpaque(context).takeUnretainedValue().say(L)
        }, Unmanaged.passUnretained(self).toOpaque())
        lua_setfield(L, -2, "say")
        papo_newtable(L)
        for (name, function) in [("get", Self.storeGet), ("set", Self.storeSet), ("keys", Self.storeKeys)] {
            papo_push_function(L, function, Unmanaged.passUnretained(self).toOpaque())
            lua_setfield(L, -2, name)
        }
        lua_setfield(L, -2, "store")
        lua_setglobal(L, "papo")
    }

    /// `papo.say(text)`: the bot says `text` in the caller's room. Only
    /// during a command or hook; returns true, or nil and the reason.
    private func say(_ L: OpaquePointer) -> Int32 {
        guard let current else {
            push(L, "papo.say: só pode ser usado durante um comando ou gancho")
            return -1
        }
        guard let text = state.string(at: 1) else {
            push(L, "papo.say: esperava um texto")
            return -1
        }
        do {
            try current.chat.botSay(inRoomOf: current.caller, text)
            lua_pushboolean(L, 1)
            return 1
        } catch {
            lua_pushnil(L)
            push(L, (error as? ChatError)?.code ?? "\(error)")
            return 2
        }
    }

    // `papo.store.get(key)`, `papo.store.set(key, value)`, `papo.store.keys()`.
    private static let storeGet: papo_swift_function = { L, context in
        guard let L, let context else { return 0 }
        let script = Unmanaged<LuaScript>.fromOpaque(context).takeUnretainedValue()
        guard let key = script.state.string(at: 1) else { return script.fail(L, "papo.store.get: esperava uma chave") }
        if let value = script.store.get(key) { script.push(L, value) } else { lua_pushnil(L) }
        return 1
    }

    private static let storeSet: papo_swift_function = { L, context in
        guard let L, let context else { return 0 }
        let script = Unmanaged<LuaScript>.fromOpaque(context).takeUnretainedValue()
        guard let key = script.state.string(at: 1) else { return script.fail(L, "papo.store.set: esperava uma chave") }
        let value: String?
        switch lua_type(L, 2) {
        case LUA_TNIL, LUA_TNONE: value = nil
        case LUA_TSTRING, LUA_TNUMBER: value = papo_tostring(L, 2).map { String(cString: $0) }
        default: return script.fail(L, "papo.store.set: o valor deve ser texto, número ou nil")
        }
        do {
            try script.store.set(key, value)
        } catch {
            return script.fail(L, "papo.store.set: \(error)")
        }
        return 0
    }

    private static let storeKeys: papo_swift_function = { L, context in
        guard let L, let context else { return 0 }
        let script = Unmanaged<LuaScript>.fromOpaque(context).takeUnretainedValue()
        let keys = script.store.keys
        lua_createtable(L, Int32(keys.count), 0)
        for (index, key) in keys.enumerated() {
            script.push(L, key)
            lua_rawseti(L, -2, lua_Integer(index + 1))
        }
        return 1
    }

    /// Pushes an error message for the trampoline to raise.
    private func fail(_ L: OpaquePointer, _ message: String) -> Int32 {
        push(L, message)
        return -1
    }

    /// Makes `context` the call in progress while `body` runs.
    private func during<T>(_ context: CommandContext, _ body: () throws -> T) rethrows -> T {
        current = context
        defer { current = nil }
        return try body()
    }

    /// `papo.on_message(function(msg) ... end)`.
    private func declareMessageHook(_ L: OpaquePointer) -> Int32 {
        guard papo_isfunction(L, 1) != 0 else {
            push(L, "papo.on_message: esperava uma função")
            return -1
        }
        guard messageHooks.count < 8 else {
            push(L, "papo.on_message: ganchos demais num só script")
            return -1
        }
        lua_settop(L, 1)
        messageHooks.append(state.reference())
        return 0
    }

    /// Runs a message hook: `nil` lets the text through, a string replaces
    /// it, `false, "motivo"` stops it.
    func runMessageHook(_ hook: Int32, text: String, context: CommandContext) throws -> HookDecision {
        let L = state.L
        state.withHeadroom {
            state.pushReference(hook)
            papo_newtable(L)
            state.setField("user", string: context.callerName)
            state.setField("room", string: context.chat.roomName(of: context.caller) ?? "")
            state.setField("role", string: context.role.description)
            state.setField("text", string: text)
        }
        try during(context) { try state.call(arguments: 1, results: 2) }
        defer { papo_pop(L, 2) }
        if lua_type(L, -2) == LUA_TBOOLEAN && lua_toboolean(L, -2) == 0 {
            return .block(reason: state.string(at: -1) ?? "sem motivo")
        }
        if let replacement = state.string(at: -2) { return replacement == text ? .pass : .replace(replacement) }
        return .pass
    }

    /// `papo.command{name=, aliases=, help=, usage=, role=, run=}`. Returns
    /// -1 with a message pushed when the declaration is wrong.
    private func declareCommand(_ L: OpaquePointer) -> Int32 {
        func fail(_ message: String) -> Int32 {
            push(L, "papo.command: \(message)")
            return -1
        }
        guard papo_istable(L, 1) != 0 else { return fail("esperava uma tabela") }
        guard let name = stringField(L, "name"), !name.isEmpty else { return fail("falta 'name'") }
        guard commands.count < 32 else { return fail("comandos demais num só script") }
        var aliases: [String] = []
        rawField(L, "aliases")
        if papo_istable(L, -1) != 0 {
            for i in 1...16 {
                lua_rawgeti(L, -1, lua_Integer(i)) // raw: no metamethods
                defer { papo_pop(L, 1) }
                guard let alias = state.string(at: -1) else { break }
                aliases.append(alias)
            }
        }
        papo_pop(L, 1)
        let roleName = stringField(L, "role") ?? "everyone"
        guard let permission = Permission(rawValue: roleName) else {
            return fail("'role' deve ser everyone, moderator ou admin")
        }
        rawField(L, "run")
        guard papo_isfunction(L, -1) != 0 else {
            papo_pop(L, 1)
            return fail("falta a função 'run' de /\(name)")
        }
        let reference = state.reference()
        commands.append(ScriptCommand(
            name: name, aliases: aliases, help: stringField(L, "help") ?? "comando de \(file)",
            usage: stringField(L, "usage") ?? "", permission: permission, function: reference))
        return 0
    }

    /// Pushes `spec[key]` without running metamethods (which could raise
    /// an error inside this Swift frame).
    private func rawField(_ L: OpaquePointer, _ key: String) {
        push(L, key)
        lua_rawget(L, 1)
    }

    private func stringField(_ L: OpaquePointer, _ key: String) -> String? {
        rawField(L, key)
        defer { papo_pop(L, 1) }
        return state.string(at: -1).map { String($0.prefix(200)) }
    }

    private func push(_ L: OpaquePointer, _ text: String) {
        _ = text.withCString { lua_pushstring(L, $0) }
    }
}
