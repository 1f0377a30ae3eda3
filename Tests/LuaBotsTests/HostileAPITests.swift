import ChatCore
import ChatStore
import Foundation
@testable import LuaBots
import Testing

/// What a hostile review of the bot API found (json, store, papo.read,
/// declarations, per-room switches), each kept fixed by a test.
@Suite("Hostile scripts against the new bot API", .timeLimit(.minutes(1)))
struct HostileAPITests {
    /// A `papo.error` marker returned with the script's memory full: the
    /// server reads it inside the headroom, and does not abort.
    @Test func anErrorMarkerReturnedWithFullMemoryDoesNotAbort() throws {
        let bots = try BotHarness(files: ["ab.lua": """
            local MT = getmetatable(papo.error('x_y', 'z'))
            papo.command{name = 'boom', run = function()
              local t = {}
              pcall(function() for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end end)
              return setmetatable({}, MT)
            end}
            """])
        for _ in 0..<3 { _ = bots.send("/boom", as: bots.ana) }
        #expect(bots.send("/ajuda")?.error == nil)
    }

    /// Output too big for JSON's cap, input too big, or a value whose Lua
    /// form would not fit the script's memory: refused, never pushed.
    @Test(arguments: [
        ("select(2, pcall(papo.json.encode, string.rep('\\1', 1e6)))", "papo.json.encode: grande demais"),
        ("select(2, pcall(papo.json.encode, string.rep('\\1', 60000)))", "JSON grande demais (máximo 256 KiB)"),
        ("select(2, papo.json.decode(string.rep(' ', 300000) .. '1'))", "JSON grande demais (máximo 256 KiB)"),
    ])
    func bigJSONIsRefusedNotPushed(_ expression: String, _ expected: String) throws {
        // 10 MB of the script's 16 MiB held first, so the headroom is all that is left.
        let bots = try BotHarness(files: ["j.lua": """
            local hold = {}
            papo.command{name = 'j', run = function()
              for i = 1, 10 do hold[i] = string.rep('m', 1000000 - 8) .. string.format('%08d', i) end
              return tostring(\(expression))
            end}
            """])
        let text = bots.send("/j", as: bots.ana)?.text ?? ""
        #expect(text.contains(expected), "\(text) \(String(describing: bots.outbox.replies(to: bots.ana).last))")
    }

    /// A value whose Lua form would not fit what the state may still
    /// allocate is not pushed (no memory error can unwind Swift frames).
    @Test func aValueTooBigForTheStateIsNotPushed() throws {
        var limits = LuaState.Limits()
        limits.memoryBytes = 1 << 20
        let state = LuaState(name: "t.lua", limits: limits)
        defer { state.close() }
        let many = LuaValue.table(Dictionary(uniqueKeysWithValues: (1...20000).map { (LuaValue.LuaKey.integer(Int64($0)), LuaValue.table([:])) }))
        let few = LuaValue.table([.string("a"): .integer(1)])
        let pushed = try state.withHeadroom { (many.push(into: state), few.push(into: state)) }
        #expect(pushed == (false, true))
    }

    @Test(arguments: [
        "papo.command{name = 'n', args = {{name = 'n', type = 'int', min = 1e30}}, run = function() end}",
        "papo.bot{name = 't', config = {t = {type = 'duration', default = 1e300}}}",
        "papo.bot{name = 't', config = {t = {type = 'duration', default = '1m'}}}",
        "papo.bot{name = 't', config = {t = {type = 'int', default = 1, max = 0/0}}}",
    ])
    func outOfRangeDeclarationsFailTheLoad(_ source: String) throws {
        let bots = try BotHarness(files: ["d.lua": source])
        #expect(bots.registry.statuses.first?.error != nil)
        #expect(bots.send("/n 5")?.error?.code == "unknown_command")
    }

    /// A script whose name has no plain stem has no data folder; a FIFO or
    /// a linked folder is refused without hanging.
    @Test func dataFilesRefuseOddNamesFifosAndLinkedFolders() throws {
        let reader = "papo.command{name = '%@', run = function(ctx) local t, why = papo.read(ctx.raw) return tostring(t) .. ' | ' .. tostring(why) end}"
        let bots = try BotHarness(files: ["...lua": reader.replacingOccurrences(of: "%@", with: "a"),
                                          "b.lua": reader.replacingOccurrences(of: "%@", with: "b"),
                                          "c.lua": reader.replacingOccurrences(of: "%@", with: "c")])
        try "segredo".write(to: bots.directory.appendingPathComponent("../config.txt").standardized, atomically: true, encoding: .utf8)
        #expect(bots.send("/a config.txt")?.text == "nil | este script não tem pasta de dados")
        let folder = bots.directory.appendingPathComponent("b")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(mkfifo(folder.appendingPathComponent("fila").path, 0o644) == 0)
        #expect(bots.send("/b fila")?.text == "nil | fila: não é um arquivo comum")
        try FileManager.default.createSymbolicLink(at: bots.directory.appendingPathComponent("c"), withDestinationURL: folder)
        try "x".write(to: folder.appendingPathComponent("x.txt"), atomically: true, encoding: .utf8)
        #expect(bots.send("/c x.txt")?.text.hasPrefix("nil | não há pasta de dados") == true)
        #expect(bots.send("/b x.txt")?.text == "x | nil")
    }

    /// A second file claiming a bot's name gets none of its data, and a
    /// failed reload of a renamed version loses none of it.
    @Test func aClaimedNameOrAFailedReloadNeverCostsData() throws {
        let storage = MemoryStorage()
        let alpha = "papo.bot{name = 'alpha'}\npapo.command{name = 'le', run = function() return papo.store.get('k') end}\n"
            + "papo.command{name = 'poe', run = function(ctx) papo.store.set('k', ctx.raw) end}"
        let bots = try BotHarness(files: ["a.lua": alpha], storage: storage)
        _ = bots.send("/poe valioso")
        try bots.write("b.lua", "papo.bot{name = 'alpha'}\npapo.store.set('k', 'roubado')")
        _ = bots.send("/reload", as: bots.ana)
        #expect(bots.registry.statuses.first { $0.file == "b.lua" }?.error?.contains("já é de a.lua") == true)
        #expect(bots.send("/le")?.text == "valioso")
        try bots.delete("b.lua")
        // A plain script's data, then a version that adopts it and fails.
        let plain = "papo.command{name = 'v', run = function(ctx) if ctx.raw ~= '' then papo.store.set('k', ctx.raw) end return papo.store.get('k') end}"
        try bots.write("p.lua", plain)
        _ = bots.send("/reload", as: bots.ana)
        _ = bots.send("/v guardado")
        try bots.write("p.lua", "papo.bot{name = 'novo'}\npapo.store.get('k')\nerror('quebrou')")
        _ = bots.send("/reload", as: bots.ana)
        try bots.write("p.lua", plain)
        _ = bots.send("/reload", as: bots.ana)
        #expect(bots.send("/v")?.text == "guardado")
        let restarted = try BotHarness(files: ["p.lua": plain], storage: storage)
        #expect(restarted.send("/v")?.text == "guardado")
    }

    /// `papo.say(t, "#cafe")` respects `/bot desligar` in #cafe, and a bot
    /// that used up its write budget can still be switched off.
    @Test func aSwitchedOffBotStaysOffWhateverItDoes() throws {
        let bots = try BotHarness(files: ["s.lua": """
            papo.command{name = 'gasta', run = function() for i = 1, 2000 do pcall(papo.store.set, 'k' .. i, i) end end}
            papo.command{name = 'fala', run = function()
              local a, x = papo.say('oi', '#cafe')
              local b, y = papo.say('oi', 'CAFE')
              return tostring(a) .. ' ' .. tostring(x) .. ' ' .. tostring(b) .. ' ' .. tostring(y)
            end}
            """])
        _ = bots.send("/entrar cafe")
        _ = bots.send("/sala geral")
        _ = bots.send("/gasta", as: bots.ana)
        _ = bots.send("/sala cafe")
        #expect(bots.send("/bot desligar s")?.error == nil)
        _ = bots.send("/sala geral")
        #expect(bots.send("/fala")?.text == "nil bot_off nil bot_off")
    }
}
