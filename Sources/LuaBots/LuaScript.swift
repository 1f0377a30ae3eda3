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
    /// The examples written next to the command: its tests.
    var examples: [BotExample] = []
}

/// Why a command's examples could not be read.
struct ExampleError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// One example a script declares for a command: who types what, and what
/// must come back. `papo bots test` and `swift test` run them.
public struct BotExample: Sendable, Equatable {
    public enum Caller: String, Sendable { case user, moderator, admin }
    public var input: String
    public var caller: Caller
    /// The exact reply text, if given.
    public var output: String?
    /// A Lua pattern the reply text must match, if given.
    public var matches: String?
    /// The error code expected instead of success, if given.
    public var error: String?
}

/// One loaded `.lua` file: its own sandboxed state and the commands it
/// declared. Built off to the side on load; swapped in only if all is well.
final class LuaScript {
    let file: String
    let state: LuaState
    private(set) var commands: [ScriptCommand] = []
    /// Registry references of the functions given to `papo.on_message`.
    private(set) var messageHooks: [Int32] = []
    /// Functions given to `papo.on(kind, fn)`, with the event kinds they want.
    private(set) var eventHooks: [(kinds: Set<ChatEvent.Kind>, function: Int32)] = []
    /// Where `papo.say` speaks during the call in progress: the caller's
    /// room in a command or hook, the creator's room in a timer.
    private var speaking: (chat: Chat, room: String)?
    /// Functions given to `papo.after` and `papo.every`, by timer id.
    private var timerFunctions: [Int: (function: Int32, room: String?)] = [:]
    /// True once a timer has reported that the script rests, until one runs.
    private var timersResting = false
    /// The room of the command or hook in progress, for timers it creates.
    private var currentRoom: String?
    let scheduler: TimerScheduler
    private(set) var unloaded = false

    let store: BotStore
    /// Longest text a command may answer with, in characters.
    static let maxReplyLength = 8000
    private var stringFind: Int32 = 0

    /// Compiles and runs `source`; throws with file and line if it fails.
    init(file: String, source: String, store: BotStore, scheduler: TimerScheduler,
         limits: LuaState.Limits = .init()) throws {
        self.file = file
        self.store = store
        self.scheduler = scheduler
        state = LuaState(name: file, limits: limits)
        installAPI()
        // Kept before the script runs, so examples are checked with the real
        // string.find whatever the script does to its globals.
        lua_getglobal(state.L, "string")
        lua_getfield(state.L, -1, "find")
        stringFind = state.reference()
        papo_pop(state.L, 1)
        do {
            try state.run(source: source, chunkName: file)
        } catch {
            unload()
            throw error
        }
    }

    deinit {
        unload()
    }

    /// Stops the script's timers and closes its state. Final; safe twice.
    func unload() {
        guard !unloaded else { return }
        unloaded = true
        scheduler.cancelAll()
        state.close()
    }

    /// Runs timer `id`'s function, as the chat's owner.
    private func fireTimer(_ id: Int, chat: Chat) throws {
        guard !unloaded, let timer = timerFunctions[id] else { return }
        if let rest = state.cpuRest() {
            if !scheduler.isActive(id) {
                // A one-shot timer whose script rests is put off, not lost.
                let delay = min(max(TimerScheduler.shortest, rest), TimerScheduler.longest)
                scheduler.rearm(id, after: delay, fire: timerFiring())
            }
            // Reported once per rest, not once per timer per second.
            if timersResting { return }
            timersResting = true
            throw state.resting(rest)
        }
        timersResting = false
        try state.withHeadroom { state.pushReference(timer.function) }
        if !scheduler.isActive(id) {
            // A one-shot timer (or one cancelled meanwhile): this is its last run.
            timerFunctions.removeValue(forKey: id)
            luaL_unref(state.L, papo_registryindex(), timer.function)
        }
        speaking = (chat, timer.room ?? chat.defaultRoom)
        defer { speaking = nil }
        try state.call(arguments: 0, results: 0)
    }

    /// Runs a command's `run(ctx)` and returns its text answer.
    func run(_ command: ScriptCommand, context: CommandContext) throws -> String {
        let L = state.L
        try state.withHeadroom {
            state.pushReference(command.function)
            papo_newtable(L)
            setCallerFields(context)
            state.setField("args", string: context.arguments)
            state.setField("words", strings: context.words(limit: 64))
            state.setField("members", strings: Array(context.chat.roomMembers(of: context.caller).prefix(1000)))
            state.setField("command", string: command.name)
        }
        try during(context) { try state.call(arguments: 1, results: 1) }
        defer { papo_pop(L, 1) }
        if papo_isnil(L, -1) != 0 { return "" }
        if let text = state.string(at: -1) {
            guard text.count <= Self.maxReplyLength else {
                throw LuaFailure(message: "\(file): /\(command.name) devolveu uma resposta longa demais", stoppedByLimit: false)
            }
            return text
        }
        if lua_type(L, -1) == LUA_TNUMBER {
            return lua_isinteger(L, -1) != 0 ? String(lua_tointegerx(L, -1, nil)) : String(lua_tonumberx(L, -1, nil))
        }
        throw LuaFailure(message: "\(file): /\(command.name) devolveu um valor que não é texto", stoppedByLimit: false)
    }

    /// `user`, `room` and `role` of the caller, into the table on top of the stack.
    private func setCallerFields(_ context: CommandContext) {
        state.setField("user", string: context.callerName)
        state.setField("room", string: context.chat.roomName(of: context.caller) ?? "")
        state.setField("role", string: context.role.description)
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
            return Unmanaged<LuaScript>.fromOpaque(context).takeUnretainedValue().declareEventHook(L)
        }, Unmanaged.passUnretained(self).toOpaque())
        lua_setfield(L, -2, "on")
        papo_push_function(L, { L, context in
            guard let L, let context else { return 0 }
            return Unmanaged<LuaScript>.fromOpaque(context).takeUnretainedValue().say(L)
        }, Unmanaged.passUnretained(self).toOpaque())
        lua_setfield(L, -2, "say")
        for (name, function) in [("after", Self.after), ("every", Self.every), ("cancel", Self.cancelTimer),
                                 ("whisper", Self.whisper), ("users", Self.users), ("rooms", Self.rooms)] {
            papo_push_function(L, function, Unmanaged.passUnretained(self).toOpaque())
            lua_setfield(L, -2, name)
        }
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
        guard let speaking else {
            push(L, "papo.say: só pode ser usado durante um comando, gancho ou timer")
            return -1
        }
        guard let text = state.string(at: 1) else {
            push(L, "papo.say: esperava um texto")
            return -1
        }
        do {
            try speaking.chat.botSay(inRoom: speaking.room, text)
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
        let room = context.chat.roomName(of: context.caller) ?? context.chat.defaultRoom
        speaking = (context.chat, room)
        currentRoom = room
        defer { speaking = nil; currentRoom = nil }
        return try body()
    }

    // `papo.whisper(name, text)`, `papo.users()`, `papo.rooms()`: only while
    // a command, hook or timer runs, like `papo.say`.

    /// Runs `body` with the script and the chat of the call in progress, or
    /// raises `api`'s error when there is none (at load time).
    private static func inCall(_ L: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ api: String,
                               _ body: (OpaquePointer, LuaScript, Chat) -> Int32) -> Int32 {
        guard let L, let context else { return 0 }
        let script = Unmanaged<LuaScript>.fromOpaque(context).takeUnretainedValue()
        guard let chat = script.speaking?.chat else {
            return script.fail(L, "\(api): só pode ser usado durante um comando, gancho ou timer")
        }
        return body(L, script, chat)
    }
    private static let whisper: papo_swift_function = { L, context in
        inCall(L, context, "papo.whisper") { L, script, chat in
            guard let name = script.state.string(at: 1), let text = script.state.string(at: 2) else {
                return script.fail(L, "papo.whisper: esperava (nome, texto)")
            }
            do {
                try chat.botWhisper(to: name, text)
                lua_pushboolean(L, 1)
                return 1
            } catch {
                lua_pushnil(L)
                script.push(L, (error as? ChatError)?.code ?? "\(error)")
                return 2
            }
        }
    }

    private static let users: papo_swift_function = { L, context in
        inCall(L, context, "papo.users") { L, script, chat in
            // At most 1000 rows, so the tables fit in the headroom the trampoline grants.
            let users = chat.connectedUsers().prefix(1000)
            lua_createtable(L, Int32(users.count), 0)
            for (index, user) in users.enumerated() {
                lua_createtable(L, 0, 3)
                script.state.setField("name", string: user.name)
                script.state.setField("room", string: user.room)
                script.state.setField("role", string: user.role.description)
                lua_rawseti(L, -2, lua_Integer(index + 1))
            }
            return 1
        }
    }

    private static let rooms: papo_swift_function = { L, context in
        inCall(L, context, "papo.rooms") { L, script, chat in
            let rooms = chat.roomList().prefix(1000)
            lua_createtable(L, Int32(rooms.count), 0)
            for (index, room) in rooms.enumerated() {
                lua_createtable(L, 0, 3)
                script.state.setField("name", string: room.name)
                lua_pushinteger(L, lua_Integer(room.memberCount))
                lua_setfield(L, -2, "members")
                script.state.setField("moderators", strings: room.moderators)
                lua_rawseti(L, -2, lua_Integer(index + 1))
            }
            return 1
        }
    }

    // `papo.after(seconds, fn)`, `papo.every(seconds, fn)` → id; `papo.cancel(id)`.
    private static let after: papo_swift_function = { L, context in
        guard let L, let context else { return 0 }
        return Unmanaged<LuaScript>.fromOpaque(context).takeUnretainedValue().startTimer(L, repeating: false)
    }

    private static let every: papo_swift_function = { L, context in
        guard let L, let context else { return 0 }
        return Unmanaged<LuaScript>.fromOpaque(context).takeUnretainedValue().startTimer(L, repeating: true)
    }

    private static let cancelTimer: papo_swift_function = { L, context in
        guard let L, let context else { return 0 }
        let script = Unmanaged<LuaScript>.fromOpaque(context).takeUnretainedValue()
        let id = Int(lua_tointegerx(L, 1, nil))
        script.scheduler.cancel(id)
        if let timer = script.timerFunctions.removeValue(forKey: id) {
            luaL_unref(L, papo_registryindex(), timer.function)
        }
        return 0
    }

    private func startTimer(_ L: OpaquePointer, repeating: Bool) -> Int32 {
        let name = repeating ? "papo.every" : "papo.after"
        guard lua_type(L, 1) == LUA_TNUMBER, papo_isfunction(L, 2) != 0 else {
            return fail(L, "\(name): esperava (segundos, função)")
        }
        let seconds = lua_tonumberx(L, 1, nil)
        lua_settop(L, 2)
        let function = state.reference()
        let scheduler = self.scheduler
        do {
            let id = try scheduler.schedule(after: seconds, repeating: repeating, fire: timerFiring())
            timerFunctions[id] = (function, currentRoom)
            lua_pushinteger(L, lua_Integer(id))
            return 1
        } catch {
            luaL_unref(L, papo_registryindex(), function)
            return fail(L, "\(name): \(error)")
        }
    }

    /// What a timer of this script does when it fires.
    private func timerFiring() -> (Int, Chat) -> Void {
        { [weak self] id, chat in
            guard let self else { return }
            do {
                try self.fireTimer(id, chat: chat)
            } catch {
                self.onTimerError?("\(self.file): timer: \(error)")
            }
        }
    }

    /// Set by the registry: reports a timer that failed (it keeps its schedule).
    var onTimerError: ((String) -> Void)?

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

    /// Lua's names for the events a script may follow with `papo.on`.
    static let eventNames: [String: Set<ChatEvent.Kind>] = [
        "join": [.connect, .join], "leave": [.leave, .disconnect], "rename": [.rename],
    ]

    /// `papo.on("join" | "leave" | "rename", function(ev) ... end)`.
    private func declareEventHook(_ L: OpaquePointer) -> Int32 {
        guard let name = state.string(at: 1), let kinds = Self.eventNames[name], papo_isfunction(L, 2) != 0 else {
            return fail(L, "papo.on: esperava (\"join\" | \"leave\" | \"rename\", função)")
        }
        guard eventHooks.count < 8 else { return fail(L, "papo.on: ganchos demais num só script") }
        lua_settop(L, 2)
        eventHooks.append((kinds, state.reference()))
        return 0
    }

    /// Runs the script's hooks for `event`: `ev` has kind, user, room,
    /// server (arrived on or left the server) and target (for a leave, the
    /// room they went to; for a rename, the new name).
    func runEventHooks(_ event: ChatEvent, chat: Chat) throws {
        guard !unloaded else { return }
        for hook in eventHooks where hook.kinds.contains(event.kind) {
            let L = state.L
            try state.withHeadroom {
                state.pushReference(hook.function)
                papo_newtable(L)
                let name = Self.eventNames.first { $0.value.contains(event.kind) }?.key ?? event.kind.rawValue
                state.setField("kind", string: name)
                state.setField("user", string: event.sender ?? "")
                state.setField("room", string: event.room ?? "")
                if let target = event.target { state.setField("target", string: target) }
                // true when they arrived on or left the server, not just a room
                state.setField("server", bool: event.kind == .connect || event.kind == .disconnect)
            }
            speaking = (chat, event.room ?? chat.defaultRoom)
            defer { speaking = nil }
            try state.call(arguments: 1, results: 0)
        }
    }

    /// Runs a message hook: `nil` lets the text through, a string replaces
    /// it, `false, "motivo"` stops it.
    func runMessageHook(_ hook: Int32, text: String, context: CommandContext) throws -> HookDecision {
        let L = state.L
        try state.withHeadroom {
            state.pushReference(hook)
            papo_newtable(L)
            setCallerFields(context)
            state.setField("text", string: text)
        }
        try during(context) { try state.call(arguments: 1, results: 2, refusable: false) }
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
        var command = ScriptCommand(
            name: name, aliases: aliases, help: stringField(L, "help") ?? "comando de \(file)",
            usage: stringField(L, "usage") ?? "", permission: permission, function: reference)
        switch readExamples(L) {
        case .success(let examples): command.examples = examples
        case .failure(let error): return fail(error.message)
        }
        commands.append(command)
        return 0
    }

    /// `examples = { {input = "/dado 2d6", matches = "^%a+ rolou"}, ... }`, each
    /// with optional `as` (user, moderator, admin), `output`, `matches`, `error`.
    private func readExamples(_ L: OpaquePointer) -> Result<[BotExample], ExampleError> {
        rawField(L, "examples")
        defer { papo_pop(L, 1) }
        guard papo_istable(L, -1) != 0 else { return .success([]) }
        var examples: [BotExample] = []
        for i in 1...16 {
            lua_rawgeti(L, -1, lua_Integer(i))
            defer { papo_pop(L, 1) }
            guard papo_istable(L, -1) != 0 else { break }
            func field(_ key: String) -> String? {
                push(L, key)
                lua_rawget(L, -2)
                defer { papo_pop(L, 1) }
                return state.string(at: -1)
            }
            guard let input = field("input") else { return .failure(ExampleError("exemplo \(i) sem 'input'")) }
            guard let caller = BotExample.Caller(rawValue: field("as") ?? "user") else {
                return .failure(ExampleError("exemplo \(i): 'as' deve ser user, moderator ou admin"))
            }
            examples.append(BotExample(input: input, caller: caller, output: field("output"),
                                       matches: field("matches"), error: field("error")))
        }
        return .success(examples)
    }

    /// True when `text` matches the Lua `pattern` (run in this script's state,
    /// under its budget).
    func matches(_ text: String, pattern: String) throws -> Bool {
        let L = state.L
        try state.withHeadroom {
            state.pushReference(stringFind)
            state.push(text)
            state.push(pattern)
        }
        try state.call(arguments: 2, results: 1)
        defer { papo_pop(L, 1) }
        return papo_isnil(L, -1) == 0
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
        var text = text
        text.withUTF8 { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
    }
}
