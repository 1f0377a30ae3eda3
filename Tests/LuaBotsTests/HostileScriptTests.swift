import BotEngine
import ChatCore
import ChatStore
import Foundation
@testable import LuaBots
import Testing

/// Work the instruction counter cannot see: one long C call, or a loop
/// whose every turn is one. Each must end within its call's deadline.
struct LongCCase: CustomTestStringConvertible, Sendable {
    let name: String
    let body: String
    var testDescription: String { name }
}

/// Issue #10's hostile scripts: whatever a script does, the chat does not
/// wait for it, its output obeys flood limits, and what it can fill is
/// bounded.
@Suite("Hostile scripts", .timeLimit(.minutes(2)))
struct HostileScriptTests {
    static let longC: [LongCCase] = [
        LongCCase(name: "lazy pattern over a long subject", body: "string.find(string.rep('a', 1e5), '.-b')"),
        LongCCase(name: "one lazy quantifier", body: "string.find(string.rep('a', 1e5), 'a-b')"),
        LongCCase(name: "one greedy quantifier in gsub", body: "string.gsub(string.rep('a', 1e5), 'a*b', '')"),
        LongCCase(name: "one greedy quantifier in gmatch",
                  body: "for m in string.gmatch(string.rep('a', 1e5), 'a*b') do end"),
        LongCCase(name: "%b() over a long subject", body: "string.find(string.rep('(', 1e5), '%b()')"),
        LongCCase(name: "the same pattern, retried under pcall",
                  body: "while true do pcall(string.find, string.rep('a', 1e5), '.-b') end"),
        LongCCase(name: "building 1 MB strings in a loop",
                  body: "while true do local s = string.rep('a', 1e6) .. 'b' end"),
        LongCCase(name: "a plain find over 1 MB in a loop",
                  body: "local s = string.rep('a', 1e6) while true do s:find(string.rep('a', 200) .. 'b', 1, true) end"),
        LongCCase(name: "table.insert at the front of 300,000 elements",
                  body: "local t = {} for i = 1, 300000 do t[i] = i end while true do table.insert(t, 1, 0) table.remove(t, 1) end"),
        LongCCase(name: "comparing long strings",
                  body: "local a, b = string.rep('a', 1e6) .. 'x', string.rep('a', 1e6) .. 'y' while true do local _ = a < b end"),
        LongCCase(name: "comparing long strings of NUL bytes (strcoll once per byte)",
                  body: "local a, b = string.rep('\\0', 1e6), string.rep('\\0', 1e6) while true do local _ = a < b end"),
        LongCCase(name: "string.packsize over a long format",
                  body: "local s = string.rep('b', 1e6) while true do string.packsize(s) end"),
        LongCCase(name: "tonumber of a long string, base 2",
                  body: "local s = string.rep('1', 1e6) while true do tonumber(s, 2) end"),
        LongCCase(name: "arithmetic on a long numeric string",
                  body: "local s = string.rep('1', 1e6) while true do pcall(math.abs, s) local _ = pcall(function() return s + 0 end) end"),
        LongCCase(name: "sorting a big table", body: "local t = {} for i = 1, 300000 do t[i] = -i end table.sort(t)"),
        LongCCase(name: "sorting 2000 references to one long string",
                  body: "local s = string.rep('a', 1e6) local t = {} for i = 1, 2000 do t[i] = s end table.sort(t)"),
        LongCCase(name: "table.remove through a __len that lies",
                  body: "table.remove(setmetatable({}, {__len = function() return math.maxinteger - 1 end}), 1)"),
        LongCCase(name: "table.insert through a __len that lies",
                  body: "table.insert(setmetatable({}, {__len = function() return math.maxinteger - 1 end}), 1, 0)"),
        LongCCase(name: "table.sort through a two-faced __len and C metamethods",
                  body: """
                  local n = 0
                  local t = setmetatable({}, {__len = function() n = n + 1 return n == 1 and 10 or 2^31 - 2 end,
                                              __index = rawlen, __newindex = rawequal})
                  table.sort(t)
                  """),
        LongCCase(name: "table.concat through a __len that lies",
                  body: "table.concat(setmetatable({}, {__len = function() return math.maxinteger end, __index = function() return 'x' end}))"),
    ]

    /// Runs `/ruim` (whose body is `body`) as the admin; returns the detail
    /// of its failure and how long it took.
    static func runHostile(_ body: String, in bots: BotHarness) throws -> (detail: String, seconds: Double) {
        let started = Date()
        let reply = try #require(bots.send("/ruim", as: bots.ana))
        let seconds = Date().timeIntervalSince(started)
        guard case .botFailed(_, let detail)? = reply.error else {
            Issue.record("expected bot_error, got \(String(describing: reply.error)) \(reply.text)")
            return ("", seconds)
        }
        return (detail ?? "", seconds)
    }

    static func command(_ body: String) -> String {
        "papo.command{name = 'ruim', run = function(ctx)\n\(body)\nend}"
    }

    /// Without the deadline, the watchdog and the counted C functions these
    /// run for 40 s to hours (or forever); now each ends within its 0.25 s
    /// deadline plus at most one C call (the bound here is generous for a
    /// loaded test machine). Work that fits in time may finish; what does
    /// not is stopped by a limit.
    @Test(arguments: longC)
    func aLongCCallEndsWithinTheDeadline(_ row: LongCCase) throws {
        let bots = try BotHarness(files: ["ruim.lua": Self.command(row.body)], botCPU: BotCPULimits(share: 0))
        let started = Date()
        let reply = try #require(bots.send("/ruim", as: bots.ana))
        let seconds = Date().timeIntervalSince(started)
        if case .botFailed(_, let detail)? = reply.error {
            let detail = detail ?? ""
            #expect(["limit exceeded", "pattern too complex", "too many elements", "table operation too long"]
                        .contains { detail.contains($0) }, "\(detail)")
            // The admin is told which line was running.
            #expect(detail.range(of: #"^ruim\.lua:\d+: "#, options: .regularExpression) != nil, "\(detail)")
        } else {
            #expect(reply.error == nil, "\(String(describing: reply.error))")
        }
        #expect(seconds < 3, "took \(seconds) s")
    }

    /// One instruction can take milliseconds (comparing two 1 MiB strings of
    /// NUL bytes calls strcoll a million times), and the count hook looks at
    /// the clock only every 1000 instructions: about 1.5 s apart here. The
    /// watchdog stops the call at the instruction after its deadline.
    @Test func theWatchdogStopsSlowInstructionsAtTheDeadline() throws {
        let body = "local a, b = string.rep('\\0', 1e6), string.rep('\\0', 1e6) while true do local _ = a < b end"
        let bots = try BotHarness(files: ["ruim.lua": Self.command(body)], botCPU: BotCPULimits(share: 0))
        for _ in 0..<3 {
            let (detail, seconds) = try Self.runHostile(body, in: bots)
            #expect(detail.contains("time limit exceeded"), "\(detail)")
            #expect(seconds < 0.9, "took \(seconds) s")
        }
    }

    /// The chat's lock is free while a script runs: another user's /ping is
    /// answered at once, before the busy command's own answer comes.
    @Test func otherUsersAreAnsweredWhileAScriptWorks() throws {
        let bots = try BotHarness(files: ["ruim.lua": Self.command(
            "while true do pcall(string.find, string.rep('a', 1e5), '.-b') end")], botCPU: BotCPULimits(share: 0))
        let started = Date()
        bots.engine.handle(line: "/ruim", from: bots.biaID)
        bots.engine.handle(line: "/ping", from: bots.anaID)
        let pingSeconds = Date().timeIntervalSince(started)
        #expect(bots.outbox.replies(to: bots.ana).last?.text == "pong")
        #expect(bots.outbox.replies(to: bots.bia).isEmpty, "the script answered before /ping ran")
        #expect(pingSeconds < 0.1, "/ping waited \(pingSeconds) s")
        bots.registry.waitUntilIdle()
        #expect(bots.outbox.replies(to: bots.bia).last?.error?.code == "bot_error")
    }

    /// One user's lines keep their order: a line sent after a slow command
    /// is handled after its answer, while other users go first.
    @Test func aUsersLinesKeepTheirOrderBehindAScript() throws {
        let bots = try BotHarness(files: ["lento.lua": """
            papo.command{name = 'lento', run = function()
              -- about a million instructions: milliseconds, far from any limit
              local x = 0 for i = 1, 500000 do x = x + i end
              papo.say('lento terminou')
              return 'feito'
            end}
            """], botCPU: BotCPULimits(share: 0))
        bots.engine.handle(line: "/lento", from: bots.biaID)
        bots.engine.handle(line: "depois do lento", from: bots.biaID)
        bots.engine.handle(line: "da ana", from: bots.anaID)
        bots.registry.waitUntilIdle()
        #expect(bots.outbox.messages(to: bots.ana) == ["da ana", "lento terminou", "depois do lento"])
        #expect(bots.outbox.replies(to: bots.bia).first?.text == "feito")
    }

    /// A command that says 300 long lines (and a timer 10,000 a second): the first few go out, the
    /// rest are refused with `bot_flood`, and the room gets a bounded
    /// burst (no member's queue can fill).
    @Test func aSayFloodIsHeldToTheBotsLimits() throws {
        let bots = try BotHarness(files: ["falador.lua": """
            papo.command{name = 'fala', run = function()
              local sent, refused, why = 0, 0, nil
              local line = string.rep('x', 1900)
              for i = 1, 300 do
                local ok, err = papo.say(line)
                if ok then sent = sent + 1 else refused = refused + 1; why = err end
              end
              return sent .. ' ' .. refused .. ' ' .. tostring(why)
            end}
            papo.every(1, function() for i = 1, 10000 do papo.say(string.rep('y', 1900)) end end)
            """])
        let reply = bots.send("/fala")?.text ?? ""
        let parts = reply.split(separator: " ")
        #expect(parts.count == 3 && Int(parts[0]).map { $0 <= BotOutput.perCall } == true, "\(reply)")
        #expect(parts.last == "bot_flood", "\(reply)")
        Thread.sleep(forTimeInterval: 2.5)
        let burst = Int(BotOutput.burstLines) + Int(3 * BotOutput.linesPerSecond)
        let received = bots.outbox.messages(to: bots.ana).count
        #expect(received <= burst, "ana got \(received) bot lines")
        #expect(bots.registry.statuses.first?.floodRefused ?? 0 > 1900)
    }

    /// Rewriting keys as fast as possible: the write budget refuses the
    /// excess, so the storage's queue stays small. (Each command does a
    /// few milliseconds of work, far from its deadline even on a loaded machine.)
    @Test func storeWritesAreBudgeted() throws {
        let storage = MemoryStorage()
        let bots = try BotHarness(files: ["grava.lua": """
            papo.command{name = 'grava', run = function(ctx)
              local n = 0
              for i = 1, 1000 do
                local ok = pcall(papo.store.set, 'k' .. (i % 10), ctx.args .. i)
                if ok then n = n + 1 end
              end
              return n
            end}
            papo.command{name = 'grande', run = function()
              local n = 0
              for i = 1, 40 do
                if pcall(papo.store.set, 'g' .. (i % 10), string.rep('x', 60000 - i)) then n = n + 1 end
              end
              return n
            end}
            """], storage: storage)
        // The byte budget first: `/grava` empties the write bucket, after
        // which `/grande` could find no write left at all on a fast machine.
        let reply = bots.send("/grande", as: bots.ana)
        let big = Int(reply?.text ?? "") ?? -1
        #expect((1...Int(BotStore.burstBytes / 60000) + 2).contains(big), "\(String(describing: reply))")
        let written = Int(bots.send("/grava a")?.text ?? "") ?? -1
        #expect((1...Int(BotStore.burstWrites) + 10).contains(written), "\(written)")
        #expect(written < Int(BotStore.burstWrites) + 10 - big, "both commands share one write bucket: \(written) after \(big)")
    }

    /// A storage that is slow to make writes durable: past the cap of
    /// unwritten changes, `set` fails until it catches up.
    @Test func aStorageThatFallsBehindPushesBack() throws {
        let storage = StalledStorage()
        let bots = try BotHarness(files: ["grava.lua": """
            papo.command{name = 'grava', run = function()
              for i = 1, 400 do papo.store.set('k' .. (i % 10), tostring(i) .. '#' .. os.clock()) end
            end}
            papo.command{name = 'uma', run = function() papo.store.set('u', tostring(os.clock())) end}
            """], storage: storage)
        var detail: String?
        for _ in 0..<5 {
            if case .botFailed(_, let why)? = bots.send("/grava", as: bots.ana)?.error { detail = why; break }
            Thread.sleep(forTimeInterval: 8) // let the write budget refill
        }
        #expect(detail?.contains("o disco ainda não gravou") == true, "\(String(describing: detail))")
        #expect(bots.send("/uma", as: bots.ana)?.error != nil)
        storage.catchUp()
        Thread.sleep(forTimeInterval: 1)
        #expect(bots.send("/uma", as: bots.ana)?.error == nil)
    }

    /// A 1 MB error text (the longest string there is) is clipped before it reaches a reply, `/bots` or
    /// the log, and a failing timer's log lines are rate-limited.
    @Test func errorTextsAndTheLogAreBounded() throws {
        let log = CapturedLog()
        let bots = try BotHarness(files: ["erro.lua": """
            papo.command{name = 'erro', run = function() error(string.rep('e', 1e6) .. '\\27[2J') end}
            for i = 1, 20 do papo.every(1, function() error(string.rep('t', 1e6)) end) end
            """], logger: log.logger)
        guard case .botFailed(_, let detail)? = bots.send("/erro", as: bots.ana)?.error else {
            Issue.record("expected bot_error")
            return
        }
        #expect((detail ?? "").utf8.count <= LuaState.maxErrorBytes + 8, "\((detail ?? "").utf8.count) bytes")
        Thread.sleep(forTimeInterval: 3.5)
        let timerLines = log.messages.filter { $0.contains("bot timer failed") }
        #expect(timerLines.count <= LogThrottle.perInterval, "\(timerLines.count) lines")
        #expect(log.messages.allSatisfy { $0.utf8.count < 2000 }, "a log line is too long")
    }

    /// Bot text is clean text: a reply with ESC fails the command with a
    /// clear detail; a block reason with a line break cannot forge a line.
    @Test func botTextCannotDriveATerminalOrForgeALine() throws {
        let bots = try BotHarness(files: ["sujo.lua": """
            papo.command{name = 'esc', run = function() return 'oi \\27[2J' end}
            papo.command{name = 'linhas', run = function() return 'um\\r\\ndois\\tfim' end}
            papo.on_message(function(msg)
              if msg.text == 'forja' then return false, 'não\\n[01/12/2026 10:00:00] #geral <ana> sou eu\\0' end
            end)
            """])
        guard case .botFailed(_, let detail)? = bots.send("/esc", as: bots.ana)?.error else {
            Issue.record("expected bot_error")
            return
        }
        #expect(detail?.contains("caracteres de controle") == true, "\(String(describing: detail))")
        #expect(bots.send("/linhas")?.text == "um\ndois fim")
        guard case .blockedByBot(let reason)? = bots.send("forja")?.error else {
            Issue.record("expected a block")
            return
        }
        #expect(!reason.unicodeScalars.contains { $0.value < 0x20 }, "\(reason.debugDescription)")
        #expect(reason.hasPrefix("não [01/12/2026"))
    }

    /// Declarations fail closed: a wrong type, an unknown field, a help with
    /// a line break and `papo.command` at run time are all errors.
    @Test(arguments: [
        ("papo.command{name = 'x', role = {'admin'}, run = function() end}", "'role' deve ser texto"),
        ("papo.command{name = 'x', role = true, run = function() end}", "'role' deve ser texto"),
        ("papo.command{name = 'x', role = 1, run = function() end}", "'role' deve ser texto"),
        ("papo.command{name = 'x', role = 'dono', run = function() end}", "'role' deve ser everyone"),
        ("papo.command{name = 'x', aliases = 'y', run = function() end}", "'aliases' deve ser uma lista"),
        ("papo.command{name = 'x', aliases = {'y', {}}, run = function() end}", "'aliases' deve ser uma lista"),
        ("papo.command{name = 'x', help = 42, run = function() end}", "'help' deve ser texto"),
        ("papo.command{name = 'x', help = 'a\\nb', run = function() end}", "'help' tem caracteres de controle"),
        ("papo.command{name = 'x', usage = '\\27[31m', run = function() end}", "'usage' tem caracteres de controle"),
        ("papo.command{name = 'x', rol = 'admin', run = function() end}", "campo desconhecido 'rol'"),
        ("papo.command{name = {}, run = function() end}", "'name' deve ser texto"),
    ])
    func aWrongDeclarationFailsToLoad(_ source: String, _ expected: String) throws {
        let bots = try BotHarness(files: ["d.lua": source])
        let status = bots.registry.statuses.first { $0.file == "d.lua" }
        #expect(status?.error?.contains(expected) == true, "\(String(describing: status?.error))")
        #expect(bots.send("/x")?.error?.code == "unknown_command")
    }

    @Test func declaringAtRunTimeIsRefused() throws {
        let bots = try BotHarness(files: ["tarde.lua": """
            papo.command{name = 'tarde', run = function()
              local ok, why = pcall(papo.command, {name = 'fantasma', run = function() end})
              local hook = pcall(papo.on_message, function() end)
              return tostring(ok) .. ' ' .. tostring(hook) .. ' ' .. why
            end}
            """])
        let text = bots.send("/tarde")?.text ?? ""
        #expect(text.hasPrefix("false false "), "\(text)")
        #expect(text.contains("nível principal"))
        #expect(bots.registry.statuses.first?.commands == ["tarde"])
        #expect(bots.send("/fantasma")?.error?.code == "unknown_command")
    }

    /// NUL bytes and invalid UTF-8 in store keys or values are refused, so
    /// nothing aliases or truncates after a restart.
    @Test func storeKeysAndValuesRoundTripExactlyOrAreRefused() throws {
        let storage = MemoryStorage()
        let bots = try BotHarness(files: ["nul.lua": """
            papo.command{name = 'nul', run = function()
              local a = pcall(papo.store.set, 'a\\0b', 'v')
              local b = pcall(papo.store.set, 'k', 'v\\0w')
              local c = pcall(papo.store.set, '\\255', 'v')
              local d = pcall(papo.store.get, 'a\\0b')
              papo.store.set('ok', 'ção ✓')
              return tostring(a) .. tostring(b) .. tostring(c) .. tostring(d) .. ' ' .. papo.store.get('ok')
            end}
            """], storage: storage)
        // A NUL byte is refused in keys; values are JSON, where it is \u0000.
        #expect(bots.send("/nul")?.text == "falsetruefalsefalse ção ✓")
        let saved = try storage.loadBotData()["nul.lua"]
        #expect(saved?[BotValueKey(key: "ok")] == "\"ção ✓\"")
        #expect(saved?[BotValueKey(key: "k")] == "\"v\\u0000w\"")
    }
}


/// Findings of the second review of issue #10's redesign.
@Suite("Hostile scripts, second review", .timeLimit(.minutes(2)))
struct HostileScriptReviewTests {
    /// A command whose worker is busy for longer than the wait bound is
    /// answered `bot_busy` in about that time, and the caller's next line
    /// runs after it.
    @Test func aCommandBehindABusyWorkerIsAnsweredBusy() throws {
        let bots = try BotHarness(files: ["ocupado.lua": """
            papo.on('join', function() while true do pcall(string.find, string.rep('a', 1e5), '.-b') end end)
            papo.command{name = 'oi', run = function() return 'oi' end}
            """], botCPU: BotCPULimits(share: 0))
        for i in 0..<20 { bots.engine.handle(line: "/entrar sala\(i)", from: bots.anaID) }
        let started = Date()
        bots.engine.handle(line: "/oi", from: bots.biaID)
        bots.engine.handle(line: "/ping", from: bots.biaID)
        #expect(TimerTests.wait(4) { bots.outbox.replies(to: bots.bia).count >= 2 })
        let seconds = Date().timeIntervalSince(started)
        let replies = bots.outbox.replies(to: bots.bia)
        #expect(replies.first?.error == .botBusy(script: "ocupado.lua"), "\(replies)")
        #expect(replies.last?.text == "pong")
        #expect(seconds < 3.5, "answered after \(seconds) s")
        bots.registry.waitUntilIdle()
    }

    /// Eight slow hooks in one script cost a message about one deadline,
    /// not eight.
    @Test func manySlowHooksInOneScriptShareOneDeadline() throws {
        let slow = "papo.on_message(function() while true do pcall(string.find, string.rep('a', 1e5), '.-b') end end)"
        let bots = try BotHarness(files: ["lento.lua": Array(repeating: slow, count: 8).joined(separator: "\n")],
                                  botCPU: BotCPULimits(share: 0))
        let started = Date()
        _ = bots.send("olá")
        let seconds = Date().timeIntervalSince(started)
        #expect(bots.outbox.messages(to: bots.ana) == ["olá"])
        #expect(seconds < 0.5, "took \(seconds) s")
    }

    /// A hook that returns a huge replacement fails (the message goes on
    /// unchanged) before the text reaches the chat's lock; a huge say is
    /// refused the same way.
    @Test func hugeReplacementsAndSaysAreRefusedBeforeTheLock() throws {
        let bots = try BotHarness(files: ["grande.lua": """
            papo.on_message(function(msg) return string.rep('x', 1e6) end)
            papo.command{name = 'fala', run = function() local ok, why = papo.say(string.rep('y', 1e6)) return why end}
            """])
        _ = bots.send("olá")
        #expect(bots.outbox.messages(to: bots.ana) == ["olá"])
        #expect(bots.send("/fala")?.text == "message_too_long")
    }

    /// Store keys that are the same text in two Unicode forms are one key,
    /// before and after a restart; values come back byte for byte.
    @Test func canonicallyEquivalentKeysAreOneKey() throws {
        let storage = MemoryStorage()
        let source = """
            papo.command{name = 'grava', run = function()
              papo.store.set('\u{E9}', 'nfc')
              papo.store.set('e\u{301}', 'nfd')
              papo.store.set('v', 'e\u{301}')
              papo.store.set('v', '\u{E9}')
              return #papo.store.keys() .. ' ' .. papo.store.get('\u{E9}') .. ' ' .. #papo.store.get('v')
            end}
            papo.command{name = 'le', run = function() return papo.store.get('e\u{301}') .. ' ' .. #papo.store.get('v') end}
            """
        let first = try BotHarness(files: ["k.lua": source], storage: storage)
        #expect(first.send("/grava")?.text == "2 nfd 2")
        let second = try BotHarness(files: ["k.lua": source], storage: storage)
        #expect(second.send("/le")?.text == "nfd 2")
    }

    /// Reading a 64 KiB value over and over until the deadline: the stop
    /// comes from Lua's own frames, never from inside the Swift push.
    @Test func aStoreReadLoopStopsCleanlyAtItsDeadline() throws {
        let bots = try BotHarness(files: ["le.lua": """
            papo.store.set('k', string.rep('v', 65000))
            papo.command{name = 'le', run = function() while true do papo.store.get('k') end end}
            """], botCPU: BotCPULimits(share: 0))
        for _ in 0..<3 {
            guard case .botFailed(_, let detail)? = bots.send("/le", as: bots.ana)?.error else {
                Issue.record("expected bot_error")
                return
            }
            #expect(detail?.contains("limit exceeded") == true, "\(String(describing: detail))")
        }
        #expect(bots.send("/ping")?.text == "pong")
    }
}

/// A storage whose writes are never durable until `catchUp`.
final class StalledStorage: ChatStorage, @unchecked Sendable {
    private let memory = MemoryStorage()
    private let lock = NSLock()
    private var held: [@Sendable () -> Void] = []
    private var stalled = true

    func load() throws -> PersistedState { try memory.load() }
    func loadBotData() throws -> [String: [BotValueKey: String]] { try memory.loadBotData() }
    func record(_ change: StorageChange) { memory.record(change) }
    func history(room: String, viewer: HistoryViewer, limit: Int, completion: @escaping @Sendable ([StoredMessage]) -> Void) {
        memory.history(room: room, viewer: viewer, limit: limit, completion: completion)
    }
    func flush() {}
    func whenDurable(_ action: @escaping @Sendable () -> Void) {
        let now: Bool = lock.withLock {
            if stalled { held.append(action) }
            return !stalled
        }
        if now { action() }
    }

    func catchUp() {
        let actions: [@Sendable () -> Void] = lock.withLock {
            stalled = false
            defer { held.removeAll() }
            return held
        }
        for action in actions { action() }
    }
}
