import CLua

/// The allow-list a script runs in: the base functions without those that
/// load code, touch files or drive the collector, plus `string` (without
/// `dump`), `table`, `math`, `utf8` and `os.time`, `os.date`, `os.clock`.
/// `io`, `debug`, `package` and `coroutine` are never opened; `xpcall` is
/// removed (its handler would run where the budget hook is off). Functions
/// that could run long inside C or run code with no budget are replaced by
/// the guarded versions in CLua's shim: `setmetatable` (no `__gc`),
/// `string.rep`, `table.move`, the pattern functions and the table functions
/// (Papo's step-counted copies of Lua's, papo_patterns.h and papo_tablib.h), and a
/// deadline check before every library call that can take milliseconds
/// (see docs/BOTS.md §4 for the whole list). Modelled on
/// Redis's `script_lua.c`: build up from nothing rather than strip down.
enum Sandbox {
    static let removedGlobals = ["dofile", "loadfile", "load", "require", "collectgarbage", "print", "warn", "xpcall"]
    static let osAllowed = ["time", "date", "clock"]
    /// Library functions whose one call is linear in a string or table of up
    /// to the memory cap (milliseconds at most): they check the call's
    /// deadline first (`papo_timed`), so a loop of them stops in time.
    /// Everything else in the allow-list is constant-time or guarded above.
    static let timedString = ["byte", "char", "format", "lower", "upper", "reverse", "sub", "pack", "unpack"]
    static let timedUTF8 = ["char", "codepoint", "len", "offset"]

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
        for (name, function) in [("find", papo_str_find), ("match", papo_str_match), ("gmatch", papo_str_gmatch),
                                 ("gsub", papo_str_gsub)] as [(String, lua_CFunction)] {
            lua_pushcclosure(L, function, 0)
            lua_setfield(L, -2, name)
        }
        for name in timedString { papo_wrap_field(L, name, papo_timed) }
        papo_pop(L, 1)
        lua_getfield(L, -1, "table")
        papo_wrap_field(L, "move", papo_table_move)
        for (name, function) in [("insert", papo_tab_insert), ("remove", papo_tab_remove), ("concat", papo_tab_concat),
                                 ("unpack", papo_tab_unpack), ("sort", papo_tab_sort)] as [(String, lua_CFunction)] {
            lua_pushcclosure(L, function, 0)
            lua_setfield(L, -2, name)
        }
        papo_pop(L, 1)
        lua_getfield(L, -1, "utf8")
        for name in timedUTF8 { papo_wrap_field(L, name, papo_timed) }
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
