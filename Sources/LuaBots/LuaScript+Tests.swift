import CLua
import Foundation

/// `papo.test{...}` and the clock a script reads: the pieces of the API
/// that make a script testable with `papo bots test`.
extension LuaScript {
    /// At most this many scenarios per script.
    static let maxTests = 32

    /// `papo.test{name =, users =, steps =}` at the top level: a scenario for
    /// `papo bots test` (at most 64 KiB of declaration). A wrong declaration
    /// is kept as a test failure and never stops the script loading.
    func declareTest(_ L: OpaquePointer) -> Int32 {
        guard loading else { return fail(L, "papo.test: só pode ser usado no nível principal do script") }
        // Only a test chat (which has a virtual clock) runs scenarios: the
        // server neither reads nor keeps them.
        guard clock != nil else { return 0 }
        let location = where_(L)
        guard tests.count < Self.maxTests else {
            testErrors.append("\(location) papo.test: testes demais num só script (máximo \(Self.maxTests))")
            return 0
        }
        var budget = LuaValue.Budget(bytes: 64 * 1024)
        do {
            guard let value = try LuaValue.read(L, at: 1, budget: &budget) else {
                throw LuaValue.Refusal("esperava uma tabela")
            }
            tests.append(try BotScenario(value, location: location))
        } catch {
            testErrors.append("\(location) papo.test: \(error)")
        }
        return 0
    }

    /// `arquivo.lua:12:` for the line of the script calling the API now.
    func where_(_ L: OpaquePointer) -> String {
        luaL_where(L, 1)
        defer { papo_pop(L, 1) }
        let text = state.string(at: -1) ?? ""
        return text.isEmpty ? "\(file):" : text
    }

    /// The time now, from the scenario's virtual clock in a test, else the real one.
    var now: Date { clock?.now ?? Date() }

    /// `papo.now()`: seconds since 1970 (with fractions), as `os.time` but finer.
    static let now: papo_swift_function = { L, context in
        guard let L, let script = script(context) else { return 0 }
        lua_pushnumber(L, script.now.timeIntervalSince1970)
        return 1
    }

    /// Makes `os.time()` and `os.date()` without a time read `papo.now`, so
    /// a scenario's virtual clock moves them too. Run before the script.
    static let clockPrelude = """
        local time, date, now, floor = os.time, os.date, papo.now, math.floor
        os.time = function(t) if t == nil then return floor(now()) end return time(t) end
        os.date = function(f, t) return date(f, t or floor(now())) end
        """
}
