import CLua
import Foundation
import Testing

/// Papo's step-counted copies of Lua 5.4.4's pattern and table functions
/// (CLua's papo_patterns.h and papo_tablib.h) must answer exactly as
/// Debian's liblua does wherever they finish: each fixture runs both on tens
/// of thousands of cases (explicit ones, then random ones) in a plain Lua
/// state with the full standard library, and fails on the first mismatch.
@Suite("Vendored Lua functions agree with Lua", .timeLimit(.minutes(2)))
struct VendoredLibraryTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Runs `file` with `pstring` and `ptable` (Papo's versions) beside the
    /// standard `string` and `table`; returns the error, if any.
    static func run(_ file: String) -> String? {
        let limits = UnsafeMutablePointer<papo_limits>.allocate(capacity: 1)
        defer { limits.deallocate() }
        var initial = papo_limits()
        initial.memory_limit = 1 << 30
        initial.base_limit = 1 << 30
        limits.initialize(to: initial)
        guard let L = papo_newstate(limits) else { return "no state" }
        defer { lua_close(L) }
        luaL_openlibs(L)
        for (table, functions) in [
            ("pstring", [("find", papo_str_find), ("match", papo_str_match), ("gmatch", papo_str_gmatch),
                         ("gsub", papo_str_gsub)]),
            ("ptable", [("insert", papo_tab_insert), ("remove", papo_tab_remove), ("concat", papo_tab_concat),
                        ("unpack", papo_tab_unpack), ("sort", papo_tab_sort)]),
        ] as [(String, [(String, lua_CFunction)])] {
            papo_newtable(L)
            for (name, function) in functions {
                lua_pushcclosure(L, function, 0)
                lua_setfield(L, -2, name)
            }
            lua_setglobal(L, table)
        }
        lua_pushinteger(L, lua_Integer(PAPO_PLAIN_FIND_WINDOW))
        lua_setglobal(L, "PLAIN_WINDOW")
        lua_pushstring(L, fixtures.path)
        lua_setglobal(L, "FIXTURES")
        let path = fixtures.appendingPathComponent(file).path
        guard luaL_loadfilex(L, path, "t") == LUA_OK, papo_pcall(L, 0, 0) == LUA_OK else {
            return papo_tostring(L, -1).map { String(cString: $0) } ?? "error"
        }
        return nil
    }

    @Test func thePatternFunctionsAnswerAsLuasDo() {
        let error = Self.run("patterns_vs_lua.lua")
        #expect(error == nil, "\(error ?? "")")
    }

    @Test func theTableFunctionsAnswerAsLuasDo() {
        let error = Self.run("tables_vs_lua.lua")
        #expect(error == nil, "\(error ?? "")")
    }
}
