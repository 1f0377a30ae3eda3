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
            papo.command{name = 'funcao', run = function() papo.store.set('k', {f = print or type}) end}
            papo.command{name = 'mista', run = function() papo.store.set('k', {1, 2, x = 3}) end}
            """])
        #expect(bots.send("/grande", as: bots.ana)?.error == .botFailed(command: "grande",
                detail: "papo.store.set: valor grande demais (máximo 64 KiB em JSON)"))
        // 2000 writes in one go: the write budget (500 at once) stops them first.
        guard case .botFailed(_, let detail)? = bots.send("/muitas", as: bots.ana)?.error else {
            Issue.record("expected a bot error")
            return
        }
        #expect(detail?.contains("gravações demais") == true, "\(String(describing: detail))")
        guard case .botFailed(_, let why)? = bots.send("/funcao", as: bots.ana)?.error,
              case .botFailed(_, let mixed)? = bots.send("/mista", as: bots.ana)?.error else {
            Issue.record("expected bot errors")
            return
        }
        #expect(why?.contains("function não podem ser guardados") == true, "\(String(describing: why))")
        #expect(mixed?.contains("lista (chaves 1..n) ou tem só chaves de texto") == true, "\(String(describing: mixed))")
    }

    @Test func aFullStoreRefusesNewKeysButUpdatesOldOnes() throws {
        let storage = MemoryStorage()
        let big = "\"" + String(repeating: "v", count: 65_000) + "\""
        for i in 1...16 { storage.record(.botValue(owner: "x.lua", BotValueKey(key: "k\(i)"), value: big)) }
        let bots = try BotHarness(files: ["x.lua": """
            papo.command{name = 'nova', run = function() papo.store.set('outra', string.rep('v', 10000)) end}
            papo.command{name = 'velha', run = function() papo.store.set('k1', 'w') return papo.store.get('k1') end}
            """], storage: storage)
        guard case .botFailed(_, let detail)? = bots.send("/nova", as: bots.ana)?.error else {
            Issue.record("expected a bot error")
            return
        }
        #expect(detail?.contains("está cheio") == true, "\(String(describing: detail))")
        #expect(bots.send("/velha")?.text == "w")
    }

    /// Tables, numbers and booleans come back as they went in, after a
    /// restart too; a table read is a copy.
    @Test func valuesKeepTheirTypes() throws {
        let storage = MemoryStorage()
        let source = """
            papo.command{name = 'guarda', run = function()
              local t = {nome = 'joão', pontos = 3, media = 2.5, ok = true, tags = {'a', 'b'}, vazio = {}}
              papo.store.set('t', t)
              t.pontos = 99
            end}
            papo.command{name = 'le', run = function()
              local t = papo.store.get('t')
              return t.nome .. ' ' .. math.type(t.pontos) .. ' ' .. t.pontos .. ' ' .. math.type(t.media) .. ' '
                .. tostring(t.ok) .. ' ' .. table.concat(t.tags, ',') .. ' ' .. #t.vazio .. ' ' .. papo.json.encode(t.tags)
            end}
            """
        let first = try BotHarness(files: ["t.lua": source], storage: storage)
        _ = first.send("/guarda")
        let expected = "joão integer 3 float true a,b 0 [\"a\",\"b\"]"
        #expect(first.send("/le")?.text == expected)
        let second = try BotHarness(files: ["t.lua": source], storage: storage)
        #expect(second.send("/le")?.text == expected)
    }

    /// Namespaces per room and per account are apart from the bot's own keys.
    @Test func roomAndAccountNamespaces() throws {
        let bots = try BotHarness(files: ["n.lua": """
            papo.command{name = 'n', run = function(ctx)
              papo.store.set('k', 'global')
              papo.store.room('#Cafe').set('k', 'cafe')
              papo.store.room(ctx.room).set('k', 'geral')
              local conta = ctx.account_id and papo.store.account(ctx.account_id)
              if conta then conta.set('k', 'de ' .. ctx.account) end
              local porNome = ctx.account and papo.store.account(ctx.account).get('k')
              return papo.store.get('k') .. ' ' .. papo.store.room('cafe').get('k') .. ' '
                .. papo.store.room('geral').get('k') .. ' ' .. tostring(porNome) .. ' ' .. #papo.store.keys()
                .. ' ' .. #papo.store.room('cafe').keys()
            end}
            papo.command{name = 'x', run = function() return papo.store.account('ninguem').get('k') end}
            """])
        #expect(bots.send("/n")?.text == "global cafe geral nil 1 1")
        _ = bots.send("/registrar senha-de-bia")
        #expect(bots.send("/n")?.text == "global cafe geral de bia 1 1")
        guard case .botFailed(_, let detail)? = bots.send("/x", as: bots.ana)?.error else {
            Issue.record("expected a bot error")
            return
        }
        #expect(detail?.contains("conta desconhecida") == true)
    }

    /// `papo.bot{name}` owns the data whatever the file is called; a bot
    /// that adds the declaration adopts what its file stored; two files
    /// cannot claim one name.
    @Test func theBotsNameOwnsItsData() throws {
        let storage = MemoryStorage()
        let plain = "papo.command{name = 'k', run = function() papo.store.set('n', (papo.store.get('n') or 0) + 1) return papo.store.get('n') end}"
        let first = try BotHarness(files: ["karma.lua": plain], storage: storage)
        #expect(first.send("/k")?.text == "1")
        // Adds papo.bot: adopts karma.lua's data.
        let named = "papo.bot{name = 'karma'}\n" + plain
        let second = try BotHarness(files: ["karma.lua": named], storage: storage)
        #expect(second.send("/k")?.text == "2")
        // Renamed file: the data follows the name.
        let third = try BotHarness(files: ["pontos.lua": named], storage: storage)
        #expect(third.send("/k")?.text == "3")
        // Adopted as a copy: the file's own rows stay, as they were.
        #expect(try storage.loadBotData()["karma.lua"] == [BotValueKey(key: "n"): "1"])
        #expect(try storage.loadBotData()["karma"] == [BotValueKey(key: "n"): "3"])
        let clash = try BotHarness(files: ["a.lua": "papo.bot{name = 'x'}", "b.lua": "papo.bot{name = 'x'}"])
        #expect(clash.registry.statuses.last?.error?.contains("o nome 'x' já é de a.lua") == true)
        let late = try BotHarness(files: ["c.lua": "papo.store.get('a')\npapo.bot{name = 'c'}"])
        #expect(late.registry.statuses.first?.error?.contains("antes de qualquer uso de papo.store") == true)
    }

    @Test(arguments: [
        ("papo.json.encode({a = 1, b = {true, 2.5, 'x\\n'}})", "{\"a\":1,\"b\":[true,2.5,\"x\\n\"]}"),
        ("papo.json.encode(papo.json.decode('{\"a\":[1,2.0,\"\\\\u00e9\"],\"b\":null}'))", "{\"a\":[1,2.0,\"é\"]}"),
        ("tostring(select(2, papo.json.decode('{\"a\":')))", "JSON inválido na posição 6: fim inesperado"),
        ("tostring(select(2, papo.json.decode(string.rep('[', 40))))", "JSON inválido na posição 17: aninhado demais"),
        ("select(2, pcall(papo.json.encode, {1, nil, 3}))", "papo.json.encode: uma tabela em JSON é uma lista (chaves 1..n) ou tem só chaves de texto"),
        ("select(2, pcall(papo.json.encode, 0/0))", "papo.json.encode: números infinitos ou NaN não cabem em JSON"),
    ])
    func jsonEncodesAndDecodes(_ expression: String, _ expected: String) throws {
        let bots = try BotHarness(files: ["j.lua": "papo.command{name = 'j', run = function() return \(expression) end}"])
        #expect(bots.send("/j")?.text == expected)
    }

    /// A data folder written by the schema before JSON values (v4,
    /// `ChatStoreTests/Fixtures/v4-data`, written by `papo serve` with a
    /// bot that stored text at load): the values read back as they were.
    @Test func valuesFromTheSchemaBeforeJSONReadBackTheSame() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../ChatStoreTests/Fixtures/v4-data/papo.sqlite").standardized
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("papo-v4-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture, to: directory.appendingPathComponent("papo.sqlite"))
        let storage = try SQLiteStorage(directory: directory)
        let bots = try BotHarness(files: ["fixture.lua": """
            papo.command{name = 'v', run = function()
              return type(papo.store.get('pontos:ana')) .. ' ' .. papo.store.get('pontos:ana') .. ' '
                .. papo.store.get('ação') .. ' ' .. papo.store.get('lista'):gsub('\\n', '|') .. ' ' .. #papo.store.keys()
            end}
            """], storage: storage)
        #expect(bots.send("/v")?.text == "string 3 coração [1,2] \"aspas\" a|b 3")
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
