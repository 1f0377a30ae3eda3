import BotEngine
import ChatCore
import Foundation
import LuaBots
import Testing

/// A hostile script and what must become of it.
struct HostileCase: CustomTestStringConvertible, Sendable {
    let name: String
    let body: String
    /// Substrings of the detail an admin sees, separated by `|`: any one will do.
    let detail: String
    var testDescription: String { name }
}

@Suite("Lua sandbox", .timeLimit(.minutes(1)))
struct SandboxTests {
    static let hostile: [HostileCase] = [
        HostileCase(name: "infinite loop", body: "while true do end", detail: "ruim.lua:3: instruction limit exceeded"),
        HostileCase(name: "infinite loop inside pcall, retried forever",
                    body: "while true do pcall(function() while true do end end) end", detail: "instruction limit exceeded"),
        HostileCase(name: "pcall around a memory bomb", body: """
            local t = {} while true do pcall(function() for i = 1, 1e9 do t[#t + 1] = {} end end) end
            """, detail: "limit exceeded"),
        HostileCase(name: "deep recursion", body: "local function f(n) return 1 + f(n + 1) end return f(1)",
                    detail: "stack overflow|memory limit exceeded"),
        HostileCase(name: "table that grows forever", body: "local t = {} for i = 1, 1e12 do t[i] = i end",
                    detail: "limit exceeded"),
        HostileCase(name: "string.rep bomb", body: "return string.rep('x', 1e9)", detail: "resulting string too large"),
        HostileCase(name: "string.rep of nothing, 1e10 times (a loop in C)", body: "return #string.rep('', 1e10) .. x.y",
                    detail: "ruim.lua:3:"),
        HostileCase(name: "table.move of nils (a loop in C)", body: "table.move({}, 1, 1e11, 2)",
                    detail: "too many elements to move"),
        HostileCase(name: "backtracking pattern (a loop in C)", body: "return string.rep('a', 20000):find('a-a-b')",
                    detail: "pattern too complex|time limit exceeded"),
        HostileCase(name: "backtracking pattern as a method, through gsub with a count",
                    body: "return (string.rep('a', 5000)):gsub('a*a*a*b', '', 1)",
                    detail: "pattern too complex|time limit exceeded"),
        HostileCase(name: "xpcall is absent (its handler would run unbudgeted)",
                    body: "xpcall(function() while true do end end, function() while true do end end)",
                    detail: "xpcall"),
        HostileCase(name: "__gc finalizers are refused (they run with no budget)",
                    body: "setmetatable({}, {__gc = function() while true do end end})", detail: "__gc"),
        HostileCase(name: "__gc set to true first is refused too",
                    body: "local mt = {__gc = true}; setmetatable({}, mt)", detail: "__gc"),
        HostileCase(name: "memory filled, then the API pushes more",
                    body: """
                    papo.store.set('k', string.rep('v', 60000))
                    local t = {} for i = 1, 1e9 do t[i] = papo.store.get('k') end
                    """, detail: "memory limit exceeded"),
        HostileCase(name: "string doubling", body: "local s = 'x' while true do s = s .. s end",
                    detail: "memory limit exceeded"),
        HostileCase(name: "io is absent", body: "return io.open('/etc/passwd'):read('a')", detail: "io"),
        HostileCase(name: "os.execute is absent", body: "return os.execute('touch /tmp/pwned')", detail: "execute"),
        HostileCase(name: "load is absent", body: "return load('return 1')()", detail: "load"),
        HostileCase(name: "require is absent", body: "return require('os')", detail: "require"),
        HostileCase(name: "debug is absent", body: "return debug.getregistry()", detail: "debug"),
        HostileCase(name: "string.dump is absent", body: "return string.dump(function() end)", detail: "dump"),
        HostileCase(name: "dofile is absent", body: "return dofile('/etc/passwd')", detail: "dofile"),
        HostileCase(name: "collectgarbage is absent", body: "collectgarbage('stop')", detail: "collectgarbage"),
        HostileCase(name: "a plain runtime error", body: "local x = nil return x.y", detail: "ruim.lua:3:"),
    ]

    @Test(arguments: hostile)
    func hostileCommandsAreContained(_ row: HostileCase) throws {
        let bots = try BotHarness(files: ["ruim.lua": """
            papo.command{name = "ruim", run = function(ctx)
              -- line 2
              \(row.body)
            end}
            """, "bom.lua": "papo.command{name = 'bom', run = function() return 'ok' end}"])
        let asUser = try #require(bots.send("/ruim"))
        #expect(asUser.error == .botFailed(command: "ruim", detail: nil))
        let asAdmin = try #require(bots.send("/ruim", as: bots.ana))
        guard case .botFailed(_, let detail)? = asAdmin.error else {
            Issue.record("expected bot_error, got \(String(describing: asAdmin.error))")
            return
        }
        let expected = row.detail.split(separator: "|").map(String.init)
        #expect(expected.contains { detail?.contains($0) == true }, "\(detail ?? "nil")")
        // Everyone else, and the other script, still work.
        #expect(bots.send("/bom")?.text == "ok")
        #expect(bots.send("/ping")?.text == "pong")
    }

    @Test func bytecodeIsRefused() throws {
        let bots = try BotHarness(files: ["bin.lua": "\u{1B}Lua\u{54}\u{00}garbage"])
        let status = bots.registry.statuses.first { $0.file == "bin.lua" }
        #expect(status?.error?.contains("binary") == true || status?.error?.contains("text") == true,
                "\(String(describing: status?.error))")
    }

    @Test func escapeAttemptsOnlyTouchTheScriptItself() throws {
        let bots = try BotHarness(files: [
            "a.lua": """
                setmetatable(_G, {__index = function() return "hijacked" end})
                rawset(papo, "command", nil)
                string.upper = function() return "pwned" end
                shared = "from a"
                """,
            "b.lua": """
                papo.command{name = "vê", run = function()
                  return tostring(shared) .. " " .. string.upper("ok") .. " " .. tostring(undefined_global)
                end}
                """,
        ])
        #expect(bots.send("/vê")?.text == "nil OK nil")
    }
}
