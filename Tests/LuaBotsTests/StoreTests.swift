import BotEngine
import ChatCore
import ChatStore
import Foundation
import LuaBots
import Testing

@Suite("Lua key-value store", .timeLimit(.minutes(1)))
struct StoreTests {
    static let counter = """
        papo.command{name = 'contador', run = function()
          local n = tonumber(papo.store.get('n') or '0') + 1
          papo.store.set('n', n)
          return n
        end}
        papo.command{name = 'apaga', run = function() papo.store.set('n', nil) return #papo.store.keys() end}
        """

    @Test func valuesSurviveReloadAndRestart() throws {
        let storage = MemoryStorage()
        let first = try BotHarness(files: ["conta.lua": Self.counter], storage: storage)
        #expect(first.send("/contador")?.text == "1")
        _ = first.send("/reload", as: first.ana)
        #expect(first.send("/contador")?.text == "2")
        // A new server on the same storage, as after a restart.
        let second = try BotHarness(files: ["conta.lua": Self.counter], storage: storage)
        #expect(second.send("/contador")?.text == "3")
        #expect(second.send("/apaga")?.text == "0")
        #expect(try storage.loadBotData()["conta.lua"] == [:])
    }

    @Test func eachScriptHasItsOwnStore() throws {
        let bots = try BotHarness(files: [
            "a.lua": "papo.command{name = 'a', run = function() papo.store.set('k', 'de a') return 'ok' end}",
            "b.lua": "papo.command{name = 'b', run = function() return tostring(papo.store.get('k')) end}",
        ])
        _ = bots.send("/a")
        #expect(bots.send("/b")?.text == "nil")
    }

    @Test func limitsAreEnforced() throws {
        let bots = try BotHarness(files: ["x.lua": """
            papo.command{name = 'grande', run = function() papo.store.set('k', string.rep('x', 70000)) end}
            papo.command{name = 'muitas', run = function() for i = 1, 2000 do papo.store.set('k' .. i, 'v') end end}
            papo.command{name = 'tabela', run = function() papo.store.set('k', {}) end}
            """])
        #expect(bots.send("/grande", as: bots.ana)?.error == .botFailed(command: "grande",
                detail: "papo.store.set: valor longo demais (máximo 65536 bytes)"))
        // 2000 writes in one go: the write budget (500 at once) stops them first.
        guard case .botFailed(_, let detail)? = bots.send("/muitas", as: bots.ana)?.error else {
            Issue.record("expected a bot error")
            return
        }
        #expect(detail?.contains("gravações demais") == true, "\(String(describing: detail))")
        #expect(bots.send("/tabela")?.error?.code == "bot_error")
    }

    @Test func aFullStoreRefusesNewKeysButUpdatesOldOnes() throws {
        let storage = MemoryStorage()
        for i in 1...1000 { storage.record(.botValue(script: "x.lua", key: "k\(i)", value: "v")) }
        let bots = try BotHarness(files: ["x.lua": """
            papo.command{name = 'nova', run = function() papo.store.set('outra', 'v') end}
            papo.command{name = 'velha', run = function() papo.store.set('k1', 'w') return papo.store.get('k1') end}
            """], storage: storage)
        guard case .botFailed(_, let detail)? = bots.send("/nova", as: bots.ana)?.error else {
            Issue.record("expected a bot error")
            return
        }
        #expect(detail?.contains("chaves demais") == true, "\(String(describing: detail))")
        #expect(bots.send("/velha")?.text == "w")
    }

    @Test func theShippedPollWorks() throws {
        let source = try BotHarness.shipped("enquete.lua")
        let bots = try BotHarness(files: ["enquete.lua": source])
        #expect(bots.send("/enquete")?.text.hasPrefix("Não há enquete em #geral") == true)
        #expect(bots.send("/enquete Pizza ou sushi? | pizza | sushi")?.text.hasPrefix("Enquete: Pizza ou sushi?") == true)
        #expect(bots.outbox.messages(to: bots.ana).last
                == "bia abriu uma enquete: Pizza ou sushi? (pizza, sushi). Vote com /votar n; resultados com /enquete.")
        #expect(bots.send("/votar 2")?.text == "Voto registrado: sushi.")
        #expect(bots.send("/votar 1", as: bots.ana)?.text == "Voto registrado: pizza.")
        #expect(bots.send("/votar 1")?.text == "Voto registrado: pizza.")
        #expect(bots.send("/votar 3")?.text == "Uso: /votar n, com n de 1 a 2")
        let results = bots.send("/enquete")?.text ?? ""
        #expect(results.contains("1) pizza — 2 voto(s)") && results.contains("2) sushi — 0 voto(s)"), "\(results)")
    }
}
