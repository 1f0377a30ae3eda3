import CLua
import Foundation

/// Why a call into a script failed.
public struct LuaFailure: Error, Equatable, CustomStringConvertible {
    /// `dado.lua:12: attempt to index a nil value`, or the budget that ran out.
    public var message: String
    /// True when the script was stopped by a limit rather than by its own error.
    public var stoppedByLimit: Bool
    public var description: String { message }
}

/// One sandboxed Lua 5.4 interpreter with an instruction budget per call and
/// a memory cap. Each script gets its own state, so scripts cannot see or
/// change one another. Not thread-safe: its owner is the chat engine.
final class LuaState {
    struct Limits {
        var instructionsPerCall: Int64 = 2_000_000
        var memoryBytes: Int = 16 << 20
        var cpu = BotCPULimits()
    }

    let L: OpaquePointer
    /// The script's file name, put before the reason when a limit stops it.
    let name: String
    private let limits: UnsafeMutablePointer<papo_limits>
    private let budget: Int64
    private var cpu: CPUBudget
    private var closed = false

    init(name: String, limits: Limits = Limits()) {
        self.name = name
        self.limits = .allocate(capacity: 1)
        var initial = papo_limits()
        initial.memory_limit = limits.memoryBytes
        initial.base_limit = limits.memoryBytes
        self.limits.initialize(to: initial)
        budget = limits.instructionsPerCall
        cpu = CPUBudget(limits: limits.cpu)
        L = papo_newstate(self.limits)
        Sandbox.install(in: L)
        LuaWatchdog.shared.watch(self.limits)
    }

    deinit {
        close()
        LuaWatchdog.shared.forget(limits)
        limits.deallocate()
    }

    func close() {
        guard !closed else { return }
        closed = true
        papo_close(L, limits)
    }

    var memoryInUse: Int { limits.pointee.used }

    /// True when about `bytes` more can be allocated now without reaching
    /// the current limit (inside a Swift function, the headroom's): checked
    /// before pushing a value of a size the script chose, so the push can
    /// never raise a memory error (a longjmp) through Swift frames.
    func canAllocate(_ bytes: Int) -> Bool {
        limits.pointee.used + bytes + 64 * 1024 < limits.pointee.memory_limit
    }

    /// True once the call in progress is past its deadline: long Swift work
    /// on a script's behalf (JSON) checks it and stops.
    var pastDeadline: Bool { papo_past_deadline(limits) != 0 }

    /// Runs Swift code that pushes values outside any protected call, with
    /// extra memory granted so no allocation there can raise a Lua error
    /// (which would unwind through Swift frames, or abort outside a pcall).
    /// Refuses when the state is already over its cap even after a full
    /// collection (which runs no Lua code: `__gc` is not allowed).
    func withHeadroom<T>(_ body: () throws -> T) throws -> T {
        let base = limits.pointee.base_limit
        if limits.pointee.used > base {
            limits.pointee.memory_limit = base + Int(PAPO_HEADROOM)
            papo_full_gc(L)
            limits.pointee.memory_limit = base
            if limits.pointee.used > base {
                throw LuaFailure(message: "\(name): memory limit exceeded", stoppedByLimit: true)
            }
        }
        limits.pointee.memory_limit = base + Int(PAPO_HEADROOM)
        defer { limits.pointee.memory_limit = base }
        return try body()
    }

    /// Compiles `source` (text only) and runs its top level once.
    func run(source: String, chunkName: String) throws {
        let status = try withHeadroom {
            source.withCString { papo_load_text(L, $0, strlen($0), "=" + chunkName) }
        }
        guard status == LUA_OK else { throw popFailure() }
        try call(arguments: 0, results: 0, deadline: .load)
    }

    /// Calls the function on top of the stack (below its `arguments`) under a
    /// fresh instruction budget, if the script's CPU budget over time allows
    /// (otherwise the function and arguments are dropped uncalled). A call
    /// that is not `refusable` runs anyway and is only charged: message hooks,
    /// so a filter cannot be switched off by tiring it. On success the
    /// `results` are left on the stack.
    func call(arguments: Int32, results: Int32, deadline: Deadline, refusable: Bool = true) throws {
        if refusable, let rest = cpu.wait() {
            papo_pop(L, arguments + 1)
            throw resting(rest)
        }
        let started = CPUBudget.threadCPUTime()
        papo_arm(L, limits, budget, deadline.seconds)
        let status = papo_pcall(L, arguments, results)
        papo_disarm(L, limits)
        cpu.spend(CPUBudget.threadCPUTime() - started)
        if status != LUA_OK { throw popFailure() }
    }

    /// How long one call may run, wall-clock, C functions included: past it
    /// the call is stopped like a runaway loop (`time limit exceeded`).
    struct Deadline {
        var seconds: Double
        /// A file's top-level code, when it loads.
        static let load = Deadline(seconds: 1)
        /// A command, a timer, an event hook.
        static let call = Deadline(seconds: 0.25)
        /// A message hook: the message waits for it.
        static let messageHook = Deadline(seconds: 0.05)
    }

    /// Nil when the script may run now; otherwise the seconds it must rest.
    func cpuRest() -> Double? {
        cpu.wait()
    }

    /// The failure of a call refused while the script rests `rest` seconds.
    func resting(_ rest: Double) -> LuaFailure {
        LuaFailure(message: "\(name): cpu budget exceeded (resumes in \(max(1, Int(min(rest, 86_400).rounded(.up)))) s)",
                   stoppedByLimit: true)
    }

    /// Stores the value on top of the stack in the registry; returns its reference.
    func reference() -> Int32 {
        luaL_ref(L, papo_registryindex())
    }

    func pushReference(_ ref: Int32) {
        lua_rawgeti(L, papo_registryindex(), lua_Integer(ref))
    }

    /// The string at `index` (not a number converted in place), with any
    /// NUL bytes it holds; invalid UTF-8 becomes U+FFFD.
    func string(at index: Int32, maxBytes: Int = .max) -> String? {
        guard papo_isstring(L, index) != 0 else { return nil }
        var length = 0
        guard let pointer = papo_tolstring(L, index, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: min(length, maxBytes)), as: UTF8.self)
    }

    /// The error value at `index` as one clean line of at most
    /// `maxErrorBytes`, read without copying the rest of a long string.
    private func errorText(at index: Int32) -> String {
        guard papo_isstring(L, index) != 0 else {
            return lua_type(L, index) == LUA_TNIL ? "erro sem mensagem" : "erro que não é texto (\(typeName(at: index)))"
        }
        var length = 0
        guard let pointer = papo_tolstring(L, index, &length) else { return "erro sem mensagem" }
        let kept = min(length, Self.maxErrorBytes)
        let text = String(decoding: UnsafeRawBufferPointer(start: pointer, count: kept), as: UTF8.self)
        return BotText.oneLine(text, maxCharacters: Self.maxErrorBytes) + (length > kept ? "…" : "")
    }

    func typeName(at index: Int32) -> String {
        String(cString: lua_typename(L, lua_type(L, index)))
    }

    func push(_ string: String) {
        var string = string
        string.withUTF8 { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
    }

    func setField(_ key: String, string value: String) {
        push(value)
        lua_setfield(L, -2, key)
    }

    func setField(_ key: String, bool value: Bool) {
        lua_pushboolean(L, value ? 1 : 0)
        lua_setfield(L, -2, key)
    }

    func setField(_ key: String, strings values: [String]) {
        lua_createtable(L, Int32(values.count), 0)
        for (index, value) in values.enumerated() {
            push(value)
            lua_rawseti(L, -2, lua_Integer(index + 1))
        }
        lua_setfield(L, -2, key)
    }

    /// Longest error text kept from a script, in bytes: an error can be any
    /// string, and its text reaches logs, replies and `/bots`.
    static let maxErrorBytes = 300

    private func popFailure() -> LuaFailure {
        let limited = limits.pointee.stopped != 0
        var message = errorText(at: -1)
        papo_pop(L, 1)
        if limited, let reason = limits.pointee.reason {
            let line = limits.pointee.line > 0 ? ":\(limits.pointee.line)" : ""
            message = "\(name)\(line): \(String(cString: reason))"
        }
        return LuaFailure(message: message, stoppedByLimit: limited)
    }
}
