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
    /// Declared arguments (`args`), parsed before the script runs; nil: `ctx.args` is the raw text.
    var arguments: CommandArguments?
    /// `subcommands`, picked by the call's first word.
    var subcommands: [ScriptCommand] = []
}

/// Why a command's examples could not be read.
struct ExampleError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Who called a command, and from where: taken under the chat's lock when
/// the line arrives, so the script can run without it.
struct CallerSnapshot: Sendable {
    var user: String
    var room: String
    var role: Role
    var account: AccountRef?
    /// Every room the caller is in, oldest joined first.
    var rooms: [String]
    /// The text after the command (and after the subcommand's name, for one).
    var arguments: String
    var words: [String]
    /// The caller's room's members (at most 1000).
    var members: [String]
    /// The declared arguments' values, when the command declares `args`.
    var values: [String: LuaValue]?
    /// The command's name, and the subcommand's when one was picked.
    var command = ""
    var subcommand: String?

    init(_ context: CommandContext) {
        user = context.callerName
        room = context.chat.roomName(of: context.caller) ?? ""
        role = context.role
        account = AccountRef(context.chat.account(of: context.caller))
        rooms = context.chat.roomNames(of: context.caller)
        arguments = context.arguments
        words = context.words(limit: 64)
        members = Array(context.chat.roomMembers(of: context.caller).prefix(1000))
    }
}

/// Runs a body as the chat's owner (the engine's `withChat`), briefly: how a
/// script, which runs off the chat's lock, reads or changes the chat.
typealias ChatAccess = (_ body: (Chat) -> Void) -> Void

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
/// Never touched by two threads at once: after loading, only its
/// `ScriptWorker` calls it, and never under the chat's lock.
final class LuaScript {
    let file: String
    let state: LuaState
    var commands: [ScriptCommand] = []
    /// Registry references of the functions given to `papo.on_message`.
    private(set) var messageHooks: [Int32] = []
    /// Functions given to `papo.on(kind, fn)`, with the event kinds they want.
    private(set) var eventHooks: [(name: String, kinds: Set<ChatEvent.Kind>, function: Int32)] = []
    /// The room `papo.say` speaks in during the call in progress: the
    /// caller's in a command or hook, the creator's in a timer. Nil outside
    /// a call (at load), where the chat API is refused.
    private var speaking: String?
    /// True while a command, hook or timer runs (not at load).
    var inCall: Bool { speaking != nil }
    /// While a message hook runs: what `papo.say` said, held until the
    /// message has been said (`FollowUp`). Nil otherwise.
    private var followUps: [FollowUp]?
    /// True while the file's top level runs: the only time `papo.command`,
    /// `papo.on_message` and `papo.on` may be called.
    private(set) var loading = false
    /// The scenarios declared with `papo.test{...}`, and what was wrong with
    /// any test declaration (examples included): reported by `papo bots
    /// test`, never a reason to refuse loading the bot.
    var tests: [BotScenario] = []
    var testErrors: [String] = []
    /// Where `papo.now`, `os.time` and `os.date` read the time: the virtual
    /// clock of a scenario, or nil for the real one.
    let clock: VirtualClock?
    /// Functions given to `papo.after` and `papo.every`, by timer id.
    private var timerFunctions: [Int: (function: Int32, room: String?)] = [:]
    /// True once a timer has reported that the script rests, until one runs.
    private var timersResting = false
    let scheduler: TimerScheduler
    private(set) var unloaded = false

    /// The store of the bot called `owner` (the registry's), and the one
    /// this script uses, bound at its first use: to the name `papo.bot`
    /// declared, or else to the file's name.
    let stores: (_ owner: String) -> BotStore
    var boundStore: BotStore?
    /// The name `papo.bot{name = ...}` declared, if any, and its settings.
    var botName: String?
    var settings: BotSettings?
    /// `bots/<file without .lua>/`: the files `papo.read` may read; nil for
    /// a file whose name is not a plain one (`..lua`), which has none.
    var dataFolder: URL?
    /// How the script reaches the chat; set by the registry before any call.
    var chat: ChatAccess = { _ in }
    /// The chat's default room, where timers made at load speak.
    var defaultRoom = "geral"
    /// What the script says, held to flood limits.
    var output = BotOutput()
    /// Longest text a command may answer with, in characters.
    static let maxReplyLength = 8000
    private var stringFind: Int32 = 0

    /// Compiles and runs `source`; throws with file and line if it fails.
    init(file: String, source: String, stores: @escaping (_ owner: String) -> BotStore, scheduler: TimerScheduler,
         limits: LuaState.Limits = .init(), clock: VirtualClock? = nil, dataFolder: URL? = nil) throws {
        self.dataFolder = dataFolder
        self.file = file
        self.stores = stores
        self.scheduler = scheduler
        self.clock = clock
        state = LuaState(name: file, limits: limits)
        installAPI()
        do {
            try state.run(source: Self.clockPrelude, chunkName: "papo")
        } catch {
            unload()
            throw error
        }
        // Kept before the script runs, so examples are checked with the real
        // string.find whatever the script does to its globals.
        lua_getglobal(state.L, "string")
        lua_getfield(state.L, -1, "find")
        stringFind = state.reference()
        papo_pop(state.L, 1)
        loading = true
        defer { loading = false }
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

    /// Runs timer `id`'s function. On the script's worker.
    func fireTimer(_ id: Int) throws {
        guard !unloaded, let timer = timerFunctions[id] else { return }
        if let rest = state.cpuRest() {
            if !scheduler.isActive(id) {
                // A one-shot timer whose script rests is put off, not lost.
                let delay = min(max(TimerScheduler.shortest, rest), TimerScheduler.longest)
                scheduler.rearm(id, after: delay)
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
        try speaking(in: timer.room ?? defaultRoom) { try state.call(arguments: 0, results: 0, deadline: .call) }
    }

    /// Runs a command's `run(ctx)` and returns its text answer, checked
    /// (BotText.reply). On the script's worker.
    func run(_ command: ScriptCommand, caller: CallerSnapshot) throws -> String {
        guard !unloaded else { throw LuaFailure(message: "\(file): descarregado", stoppedByLimit: false) }
        let L = state.L
        try state.withHeadroom {
            state.pushReference(command.function)
            papo_newtable(L)
            setCallerFields(user: caller.user, room: caller.room, role: caller.role, account: caller.account)
            if let values = caller.values {
                LuaValue.table(Dictionary(uniqueKeysWithValues: values.map { (.string($0.key), $0.value) })).push(L)
                lua_setfield(L, -2, "args")
            } else {
                state.setField("args", string: caller.arguments)
            }
            state.setField("raw", string: caller.arguments)
            state.setField("words", strings: caller.words)
            state.setField("members", strings: caller.members)
            state.setField("rooms", strings: caller.rooms)
            state.setField("command", string: caller.command.isEmpty ? command.name : caller.command)
            if let sub = caller.subcommand { state.setField("subcommand", string: sub) }
        }
        try speaking(in: caller.room) { try state.call(arguments: 1, results: 1, deadline: .call) }
        defer { papo_pop(L, 1) }
        if papo_isnil(L, -1) != 0 { return "" }
        if let refusal = try commandError(at: -1) { throw refusal }
        if let text = state.string(at: -1) {
            guard text.count <= Self.maxReplyLength else {
                throw LuaFailure(message: "\(file): /\(command.name) devolveu uma resposta longa demais", stoppedByLimit: false)
            }
            do {
                return try BotText.reply(text)
            } catch {
                throw LuaFailure(message: "\(file): /\(command.name): \(error)", stoppedByLimit: false)
            }
        }
        if lua_type(L, -1) == LUA_TNUMBER {
            return lua_isinteger(L, -1) != 0 ? String(lua_tointegerx(L, -1, nil)) : String(lua_tonumberx(L, -1, nil))
        }
        throw LuaFailure(message: "\(file): /\(command.name) devolveu um valor que não é texto", stoppedByLimit: false)
    }

    /// Makes `room` where the call in progress speaks while `body` runs,
    /// with a fresh per-call output allowance.
    private func speaking<T>(in room: String, _ body: () throws -> T) rethrows -> T {
        speaking = room
        output.startCall()
        defer { speaking = nil }
        return try body()
    }

    /// `user`, `room` and `role` of the caller, into the table on top of the stack.
    /// `user`, `room`, `role`, and who the caller is: `identified`, and
    /// for an identified caller `account` (its name) and `account_id`.
    private func setCallerFields(user: String, room: String, role: Role, account: AccountRef?) {
        state.setField("user", string: user)
        state.setField("room", string: room)
        state.setField("role", string: role.description)
        state.setField("identified", bool: account != nil)
        if let account {
            state.setField("account", string: account.name)
            state.setField("account_id", string: account.id)
        }
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
        papo_push_function(L, { L, context in
            guard let L, let context else { return 0 }
            return Unmanaged<LuaScript>.fromOpaque(context).takeUnretainedValue().declareTest(L)
        }, Unmanaged.passUnretained(self).toOpaque())
        lua_setfield(L, -2, "test")
        installErrorFunction()
        for (name, function) in [("after", Self.after), ("every", Self.every), ("cancel", Self.cancelTimer),
                                 ("whisper", Self.whisper), ("users", Self.users), ("rooms", Self.rooms),
                                 ("log", Self.log), ("now", Self.now), ("history", Self.history)] + Self.textFunctions {
            papo_push_function(L, function, Unmanaged.passUnretained(self).toOpaque())
            lua_setfield(L, -2, name)
        }
        installStore()
        lua_setglobal(L, "papo")
    }

    /// `papo.say(text)`: the bot says `text` in the caller's room. Only
    /// during a command, hook or timer; returns true, or nil and the reason
    /// (an error code such as `control_characters` or `bot_flood`).
    /// `papo.say(texto [, sala])`: in the room of the call, or in `sala`
    /// (any room there is). Text of several lines is said as several
    /// messages, each checked like any message: one bad line, or more than
    /// the bot may say, and nothing is said.
    private func say(_ L: OpaquePointer) -> Int32 {
        guard let current = speaking else {
            push(L, "papo.say: só pode ser usado durante um comando, gancho ou timer")
            return -1
        }
        guard let text = state.string(at: 1) else {
            push(L, "papo.say: esperava um texto")
            return -1
        }
        var room = current
        if lua_gettop(L) >= 2, papo_isnil(L, 2) == 0 {
            guard let named = state.string(at: 2) else {
                push(L, "papo.say: a sala deve ser um texto")
                return -1
            }
            // A name too long to be a room's is refused here, not under the chat's lock.
            guard named.utf8.count <= 4 * NameRules.maxRoomLength + 1 else {
                lua_pushnil(L)
                push(L, ChatError.roomNameInvalid("").code)
                return 2
            }
            room = named
        }
        // Bounded before it is split: at most `perCall` lines of a message's size.
        if text.utf8.count > Self.maxReplacementBytes * BotOutput.perCall {
            lua_pushnil(L)
            push(L, ChatError.messageTooLong(max: NameRules.maxMessageLength).code)
            return 2
        }
        if let refusal = output.callRefusal {
            onFlood?(refusal)
            lua_pushnil(L)
            push(L, "bot_flood")
            return 2
        }
        if roomIsOff(room) {
            lua_pushnil(L)
            push(L, "bot_off")
            return 2
        }
        let lines = Self.lines(of: text)
        if followUps != nil {
            // In a message hook: checked now, said once the message is.
            return speak(L, text, lines: lines.count) { chat in
                for line in lines { _ = try NameRules.messageText(line).get() }
                try chat.checkBotCanSay(inRoom: room)
                self.followUps?.append(contentsOf: lines.map { FollowUp(room: room, text: $0) })
            }
        }
        return speak(L, text, lines: lines.count) { chat in
            for line in lines { _ = try NameRules.messageText(line).get() }
            for line in lines { try chat.botSay(inRoom: room, line) }
        }
    }

    /// The lines of a text (split at `\n` or `\r\n`, the one grapheme
    /// Swift makes of it), without empty ones; an empty text stays one
    /// (empty) line, which the chat refuses. Other line breaks (`\r`
    /// alone, U+2028) are left in, to be refused as control characters.
    static func lines(of text: String) -> [String] {
        // Bytes first: most texts hold no line break, and graphemes are slow.
        guard text.utf8.contains(UInt8(ascii: "\n")) else { return [text] }
        let lines = text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" }.map(String.init)
        return lines.isEmpty ? [""] : lines
    }

    /// Says or whispers through `act` as the chat's owner, if the output
    /// limits allow `text` (in `lines` messages); pushes true, or nil and
    /// the error code.
    private func speak(_ L: OpaquePointer, _ text: String, lines: Int = 1,
                       _ act: @escaping (Chat) throws -> Void) -> Int32 {
        // Refused here, before the chat's lock, where checking it would cost.
        if text.utf8.count > Self.maxReplacementBytes * max(1, min(lines, BotOutput.perCall)) {
            lua_pushnil(L)
            push(L, ChatError.messageTooLong(max: NameRules.maxMessageLength).code)
            return 2
        }
        if let refusal = output.admit(lines: lines, bytes: text.utf8.count) {
            onFlood?(refusal)
            lua_pushnil(L)
            push(L, "bot_flood")
            return 2
        }
        var failure: Error?
        chat { chat in
            do { try act(chat) } catch { failure = error }
        }
        guard let failure else {
            lua_pushboolean(L, 1)
            return 1
        }
        lua_pushnil(L)
        push(L, (failure as? ChatError)?.code ?? "\(failure)")
        return 2
    }

    /// Set by the registry: true for a room whose moderators switched this bot off.
    var roomIsOff: (String) -> Bool = { _ in false }
    /// Set by the registry: told when output is refused for flooding.
    var onFlood: ((String) -> Void)?
    /// Set by the registry: told of each `papo.log` line.
    var onLog: ((String) -> Void)?

    /// Pushes an error message for the trampoline to raise.
    func fail(_ L: OpaquePointer, _ message: String) -> Int32 {
        push(L, message)
        return -1
    }

    // `papo.whisper(name, text)`, `papo.users()`, `papo.rooms()`: only while
    // a command, hook or timer runs, like `papo.say`.

    /// Runs `body` with the script of the call in progress, or raises
    /// `api`'s error when there is none (at load time).
    private static func inCall(_ L: OpaquePointer?, _ context: UnsafeMutableRawPointer?, _ api: String,
                               _ body: (OpaquePointer, LuaScript) -> Int32) -> Int32 {
        guard let L, let context else { return 0 }
        let script = Unmanaged<LuaScript>.fromOpaque(context).takeUnretainedValue()
        guard script.speaking != nil else {
            return script.fail(L, "\(api): só pode ser usado durante um comando, gancho ou timer")
        }
        return body(L, script)
    }

    /// Reads from the chat as its owner, briefly.
    private func read<T>(_ body: @escaping (Chat) -> T) -> T {
        var result: T?
        chat { result = body($0) }
        return result!
    }

    private static let whisper: papo_swift_function = { L, context in
        inCall(L, context, "papo.whisper") { L, script in
            guard let name = script.state.string(at: 1), let text = script.state.string(at: 2) else {
                return script.fail(L, "papo.whisper: esperava (nome, texto)")
            }
            return script.speak(L, text) { chat in try chat.botWhisper(to: name, text) }
        }
    }

    /// `papo.log(...)`: its arguments, as text, joined by spaces, to the
    /// script's recent lines in `/bots log` and to the server's log (both
    /// bounded: 300 characters a line, a few lines per 10 s in the log).
    private static let log: papo_swift_function = { L, context in
        inCall(L, context, "papo.log") { L, script in
            var parts: [String] = []
            var bytes = 0
            let count = lua_gettop(L)
            var index: Int32 = 1
            while index <= count, bytes <= 400 {
                let part: String
                switch lua_type(L, index) {
                case LUA_TSTRING: part = script.state.string(at: index, maxBytes: 400) ?? ""
                case LUA_TNUMBER:
                    part = lua_isinteger(L, index) != 0 ? String(lua_tointegerx(L, index, nil))
                        : String(lua_tonumberx(L, index, nil))
                case LUA_TBOOLEAN: part = lua_toboolean(L, index) != 0 ? "true" : "false"
                case LUA_TNIL: part = "nil"
                default: part = "<" + String(cString: lua_typename(L, lua_type(L, index))) + ">"
                }
                parts.append(part)
                bytes += part.utf8.count + 1
                index += 1
            }
            script.onLog?(parts.joined(separator: " "))
            return 0
        }
    }

    private static let users: papo_swift_function = { L, context in
        inCall(L, context, "papo.users") { L, script in
            // At most 1000 rows, so the tables fit in the headroom the trampoline grants.
            let (users, now) = script.read { (Array($0.connectedUsers().prefix(1000)), $0.now) }
            lua_createtable(L, Int32(users.count), 0)
            for (index, user) in users.enumerated() {
                lua_createtable(L, 0, 6)
                script.state.setField("name", string: user.name)
                script.state.setField("room", string: user.room)
                script.state.setField("role", string: user.role.description)
                script.state.setField("rooms", strings: user.rooms)
                lua_pushinteger(L, lua_Integer(user.connectedAt.timeIntervalSince1970))
                lua_setfield(L, -2, "connected_since")
                // Seconds since they last spoke in a room, or since they connected.
                lua_pushinteger(L, lua_Integer(max(0, now.timeIntervalSince(user.lastSpokeAt ?? user.connectedAt))))
                lua_setfield(L, -2, "idle")
                lua_rawseti(L, -2, lua_Integer(index + 1))
            }
            return 1
        }
    }

    private static let rooms: papo_swift_function = { L, context in
        inCall(L, context, "papo.rooms") { L, script in
            // A bot's output is public: secret rooms are not listed to it.
            let rooms = script.read { Array($0.roomList().filter { !$0.secret }.prefix(1000)) }
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
        do {
            let id = try scheduler.schedule(after: seconds, repeating: repeating)
            timerFunctions[id] = (function, speaking)
            lua_pushinteger(L, lua_Integer(id))
            return 1
        } catch {
            luaL_unref(L, papo_registryindex(), function)
            return fail(L, "\(name): \(error)")
        }
    }

    /// `papo.on_message(function(msg) ... end)`.
    private func declareMessageHook(_ L: OpaquePointer) -> Int32 {
        guard loading else { return fail(L, "papo.on_message: só pode ser usado no nível principal do script") }
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

    /// Lua's names for the events a script may follow with `papo.on`, and
    /// the chat events each covers. A kick or a ban is also a departure, so
    /// `leave` hears of it (`ev.cause`).
    static let eventNames: [String: Set<ChatEvent.Kind>] = [
        "join": [.connect, .join], "leave": [.leave, .disconnect, .kick, .ban], "rename": [.rename],
        "connect": [.connect], "disconnect": [.disconnect], "kick": [.kick], "ban": [.ban], "unban": [.unban],
        "topic": [.topic], "moderator": [.moderatorAdded, .moderatorRemoved], "message": [.message],
        "identify": [.identify],
        // The script's own lifecycle (`runLifecycle`), not chat events.
        "load": [], "unload": [],
    ]

    /// Every event kind some hook of this script wants.
    var eventKinds: Set<ChatEvent.Kind> { eventHooks.reduce(into: []) { $0.formUnion($1.kinds) } }

    /// `papo.on(nome, function(ev) ... end)`, `nome` one of `eventNames`.
    private func declareEventHook(_ L: OpaquePointer) -> Int32 {
        guard loading else { return fail(L, "papo.on: só pode ser usado no nível principal do script") }
        guard let name = state.string(at: 1), let kinds = Self.eventNames[name], papo_isfunction(L, 2) != 0 else {
            let names = Self.eventNames.keys.sorted().map { "\"\($0)\"" }.joined(separator: " | ")
            return fail(L, "papo.on: esperava (\(names), função)")
        }
        guard eventHooks.count < 8 else { return fail(L, "papo.on: ganchos demais num só script") }
        lua_settop(L, 2)
        eventHooks.append((name, kinds, state.reference()))
        return 0
    }

    /// Runs the script's hooks for `event`. `ev` has `kind` (the name the
    /// hook was declared with), `user` (who arrived, left, was renamed, or
    /// acted), `room`, `server` (arrived on or left the server), `target`,
    /// `text`, and for a departure `cause` ("part", "quit", "kick", "ban")
    /// and `by` (the moderator). On the worker.
    func runEventHooks(_ event: ChatEvent) throws {
        guard !unloaded else { return }
        for hook in eventHooks where hook.kinds.contains(event.kind) {
            let L = state.L
            try state.withHeadroom {
                state.pushReference(hook.function)
                papo_newtable(L)
                state.setField("kind", string: hook.name)
                let removed = event.kind == .kick || event.kind == .ban
                if hook.name == "leave" {
                    // Who left: for a kick or a ban, the target; the moderator is `by`.
                    state.setField("user", string: (removed ? event.target : event.sender) ?? "")
                    let cause = event.kind == .kick ? "kick" : event.kind == .ban ? "ban"
                        : event.kind == .disconnect ? "quit" : "part"
                    state.setField("cause", string: cause)
                    if removed, let by = event.sender { state.setField("by", string: by) }
                } else {
                    state.setField("user", string: event.sender ?? "")
                    if let target = event.target { state.setField("target", string: target) }
                }
                state.setField("room", string: event.room ?? "")
                if let text = event.text { state.setField("text", string: text) }
                // A bot must never answer a notice (two bots would loop): it is marked.
                if event.kind == .message { state.setField("notice", bool: event.notice) }
                if event.kind == .message || event.kind == .identify {
                    // An identified sender is called by the account's name.
                    state.setField("identified", bool: event.senderAccount != nil)
                    if let account = event.senderAccount {
                        state.setField("account_id", string: account)
                        state.setField("account", string: event.sender ?? "")
                    }
                }
                if hook.name == "moderator" { state.setField("added", bool: event.kind == .moderatorAdded) }
                // true when they arrived on or left the server, not just a room
                state.setField("server", bool: event.kind == .connect || event.kind == .disconnect)
            }
            try speaking(in: event.room ?? defaultRoom) { try state.call(arguments: 1, results: 0, deadline: .call) }
        }
    }

    /// Runs the script's `load` or `unload` hooks (`ev.kind` is the name),
    /// with the limits of a command; `papo.say` speaks in the default room.
    /// On the worker: `load` once the script is in, `unload` before a
    /// `/reload` replaces it or its file is gone.
    func runLifecycle(_ name: String) throws {
        guard !unloaded else { return }
        for hook in eventHooks where hook.name == name {
            let L = state.L
            try state.withHeadroom {
                state.pushReference(hook.function)
                papo_newtable(L)
                state.setField("kind", string: name)
            }
            try speaking(in: defaultRoom) { try state.call(arguments: 1, results: 0, deadline: .call) }
        }
    }

    /// Runs the script's message hooks on one message, in order, each
    /// within what is left until `latest`: a string replaces the text for
    /// the next, `false, "motivo"` stops it there. A hook that fails is
    /// reported through `failed` and skipped. On the worker.
    func runMessageHooks(_ input: HookInput, until latest: Double,
                         failed: (Error) -> Void) -> (decision: HookDecision, followUps: [FollowUp]) {
        followUps = []
        defer { followUps = nil }
        let decision = runMessageHooks(input, until: latest, failed: failed) as HookDecision
        return (decision, followUps ?? [])
    }

    private func runMessageHooks(_ input: HookInput, until latest: Double, failed: (Error) -> Void) -> HookDecision {
        var text = input.text
        for hook in messageHooks {
            let left = latest - CPUBudget.now()
            guard left > 0 else { break }
            var input = input
            input.text = text
            do {
                switch try runMessageHook(hook, input: input, within: left) {
                case .pass: continue
                case .replace(let replacement): text = replacement
                case .block(let reason): return .block(reason: reason)
                }
            } catch {
                failed(error)
            }
        }
        return text == input.text ? .pass : .replace(text)
    }

    /// Longest block reason shown to the user, in characters.
    static let maxBlockReason = 200
    /// Longest replacement a hook may return, in bytes (a message is at
    /// most `NameRules.maxMessageLength` characters); longer fails the hook
    /// here, before the text reaches the chat's lock.
    static let maxReplacementBytes = 4 * NameRules.maxMessageLength

    /// Runs one message hook: `nil` lets the text through, a string replaces
    /// it, `false, "motivo"` stops it (the reason made one clean line).
    private func runMessageHook(_ hook: Int32, input: HookInput, within seconds: Double) throws -> HookDecision {
        guard !unloaded else { return .pass }
        let L = state.L
        try state.withHeadroom {
            state.pushReference(hook)
            papo_newtable(L)
            setCallerFields(user: input.userName, room: input.room, role: input.role, account: input.account)
            state.setField("text", string: input.text)
            state.setField("notice", bool: input.notice)
        }
        try speaking(in: input.room) {
            let deadline = LuaState.Deadline(seconds: min(LuaState.Deadline.messageHook.seconds, seconds))
            try state.call(arguments: 1, results: 2, deadline: deadline, refusable: false)
        }
        defer { papo_pop(L, 2) }
        if lua_type(L, -2) == LUA_TBOOLEAN && lua_toboolean(L, -2) == 0 {
            let reason = state.string(at: -1, maxBytes: Self.maxBlockReason * 4).map {
                BotText.oneLine($0, maxCharacters: Self.maxBlockReason)
            }
            return .block(reason: reason.flatMap { $0.isEmpty ? nil : $0 } ?? "sem motivo")
        }
        guard papo_isstring(L, -2) != 0 else { return .pass }
        guard lua_rawlen(L, -2) <= Self.maxReplacementBytes else {
            throw LuaFailure(message: "\(file): o gancho devolveu um texto longo demais", stoppedByLimit: false)
        }
        let replacement = state.string(at: -2) ?? input.text
        return replacement == input.text ? .pass : .replace(replacement)
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
        try state.call(arguments: 2, results: 1, deadline: .call)
        defer { papo_pop(L, 1) }
        return papo_isnil(L, -1) == 0
    }

    func push(_ L: OpaquePointer, _ text: String) {
        var text = text
        text.withUTF8 { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
    }
}
