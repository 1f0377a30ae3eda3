import CLua

/// The allow-list a script runs in: the base functions without those that
/// load code, touch files or drive the collector, plus `string` (without
/// `dump`), `table`, `math`, `utf8` and `os.time`, `os.date`, `os.clock`.
/// `io`, `debug`, `package` and `coroutine` are never opened; `xpcall` is
/// removed (its handler would run where the budget hook is off). Functions
/// that could run long inside C or run code with no budget are replaced by
/// the guarded versions in CLua's shim: `setmetatable` (no `__gc`),
/// `string.rep`, `table.move`, and the pattern functions. Modelled on
/// Redis's `script_lua.c`: build up from nothing rather than strip down.
enum Sandbox {
    static let removedGlobals = ["dofile", "loadfile", "load", "require", "collectgarbage", "print", "warn", "xpcall"]
    static let osAllowed = ["time", "date", "clock"]

    static func install(in L: OpaquePointer) {
        open(L, "_G", luaopen_base)
        open(L, "string", luaopen_string)
        open(L, "table", luaopen_table)
        open(L, "math", luaopen_math)
        open(L, "utf8", luaopen_utf8)

        papo_pushglobaltable(L)
        for name in removedGlobals {
            lua_pushnil(L)
            lua_setfield(L, -2, name)
        }
        lua_pushcclosure(L, papo_setmetatable, 0)
        lua_setfield(L, -2, "setmetatable")
        lua_getfield(L, -1, "string")
        // string.dump would hand out bytecode.
        lua_pushnil(L)
        lua_setfield(L, -2, "dump")
        papo_wrap_field(L, "rep", papo_str_rep)
        papo_wrap_field(L, "find", papo_pattern_guard_find)
        for name in ["match", "gmatch", "gsub"] { papo_wrap_field(L, name, papo_pattern_guard) }
        papo_pop(L, 1)
        lua_getfield(L, -1, "table")
        papo_wrap_field(L, "move", papo_table_move)
        papo_pop(L, 1)

        // A fresh `os` table holding only the clock functions.
        _ = luaopen_os(L)
        papo_newtable(L)
        for name in osAllowed {
            lua_getfield(L, -2, name)
            lua_setfield(L, -2, name)
        }
        lua_setfield(L, -3, "os")
        papo_pop(L, 2)
    }

    private static func open(_ L: OpaquePointer, _ name: String, _ opener: lua_CFunction) {
        luaL_requiref(L, name, opener, 1)
        papo_pop(L, 1)
    }
}
