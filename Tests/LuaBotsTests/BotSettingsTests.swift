import ChatCore
import ChatStore
import Foundation
@testable import LuaBots
import Testing

/// `/botconfig`, data files beside a script, `/bot desligar` per room,
/// `papo.history` and idle times: what bots read from and about the chat.
@Suite("Bot settings, data files and per-room switches", .timeLimit(.minutes(1)))
struct BotSettingsTests {
    static let configured = """
        papo.bot{name = 'jogo', config = {
          rodada = {type = 'duration', default = 30, min = 10, max = 600, help = 'tempo para responder'},
          ligado = {type = 'boolean', default = true},
        }}
        papo.command{name = 'cfg', run = function() return papo.config('rodada') .. ' ' .. tostring(papo.config('ligado')) end}
        papo.command{name = 'nada', run = function() return papo.config('x') end}
        """

    @Test func anAdminChangesASettingLiveAndItSurvivesARestart() throws {
        let storage = MemoryStorage()
        let bots = try BotHarness(files: ["jogo.lua": Self.configured], storage: storage)
        #expect(bots.send("/cfg")?.text == "30 true")
        #expect(bots.send("/botconfig jogo rodada 60", as: bots.ana)?.text == "jogo: rodada = 1m.")
        #expect(bots.send("/botconfig jogo ligado não", as: bots.ana)?.text == "jogo: ligado = não.")
        #expect(bots.send("/cfg")?.text == "60 false")
        let listing = bots.send("/botconfig jogo", as: bots.ana)?.text ?? ""
        #expect(listing == "Ajustes de jogo:\n  ligado = não (padrão sim)\n  rodada = 1m (padrão 30s) — tempo para responder", "\(listing)")
        #expect(bots.send("/botconfig jogo rodada 5s", as: bots.ana)?.error?.message == "jogo: rodada: o mínimo é 10s.")
        #expect(bots.send("/botconfig jogo volume 3", as: bots.ana)?.error?.code == "invalid_setting")
        #expect(bots.send("/botconfig nenhum", as: bots.ana)?.error?.message == "Não há bot nenhum carregado.")
        #expect(bots.send("/botconfig jogo rodada 60")?.error?.code == "not_admin")
        #expect(bots.send("/nada")?.error?.code == "bot_error")
        let restarted = try BotHarness(files: ["jogo.lua": Self.configured], storage: storage)
        #expect(restarted.send("/cfg")?.text == "60 false")
        #expect(restarted.send("/botconfig jogo rodada padrão", as: restarted.ana)?.text == "jogo: rodada volta ao padrão, 30s.")
        #expect(restarted.send("/cfg")?.text == "30 false")
    }

    @Test(arguments: [
        ("config = {x = {type = 'int'}}", "falta 'default'"),
        ("config = {x = {type = 'inteiro', default = 1}}", "'type' deve ser int"),
        ("config = {x = {type = 'int', default = 1, max = 0}}", "o máximo é 0"),
        ("config = {x = {type = 'int', default = 1, ajuda = 'a'}}", "campo desconhecido 'ajuda'"),
    ])
    func aWrongSettingFailsTheLoad(_ config: String, _ expected: String) throws {
        let bots = try BotHarness(files: ["c.lua": "papo.bot{name = 'c', \(config)}"])
        let error = bots.registry.statuses.first?.error ?? ""
        #expect(error.contains(expected), "\(error)")
    }

    /// Files of `bots/<script>/` only: no other folder, no link, no big file.
    @Test func dataFilesAreReadFromTheBotsOwnFolderOnly() throws {
        let bots = try BotHarness(files: ["quiz.lua": """
            papo.command{name = 'le', run = function(ctx)
              local ok, text, why = pcall(papo.read, ctx.raw)
              if not ok then return 'erro: ' .. text end
              return tostring(text) .. ' | ' .. tostring(why)
            end}
            """])
        let folder = bots.directory.appendingPathComponent("quiz")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "pergunta | resposta".write(to: folder.appendingPathComponent("perguntas.txt"), atomically: true, encoding: .utf8)
        try "segredo".write(to: bots.directory.appendingPathComponent("fora.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("link.txt"),
                                                   withDestinationURL: bots.directory.appendingPathComponent("fora.txt"))
        try Data(count: 300 * 1024).write(to: folder.appendingPathComponent("grande.txt"))
        #expect(bots.send("/le perguntas.txt")?.text == "pergunta | resposta | nil")
        #expect(bots.send("/le ../fora.txt")?.text.hasPrefix("erro: papo.read: nome de arquivo inválido") == true)
        #expect(bots.send("/le link.txt")?.text == "nil | link.txt: não é um arquivo comum")
        #expect(bots.send("/le grande.txt")?.text == "nil | grande.txt: maior que 256 KiB")
        #expect(bots.send("/le nada.txt")?.text == "nil | nada.txt: não existe")
    }

    /// A room's moderators switch a bot off in their room: its commands,
    /// hooks and words stop there and only there, across a restart.
    @Test func aModeratorSwitchesABotOffInTheirRoom() throws {
        let storage = MemoryStorage()
        let source = """
            papo.command{name = 'oi', run = function() return 'oi' end}
            papo.on_message(function(msg) return msg.text:upper() end)
            papo.on('join', function(ev) if not ev.server then papo.say('bem-vindo, ' .. ev.user) end end)
            """
        let bots = try BotHarness(files: ["eco.lua": source], storage: storage)
        #expect(bots.send("/bot desligar eco")?.error?.code == "not_moderator")
        _ = bots.send("/entrar cafe")
        #expect(bots.send("/bot desligar eco")?.text == "eco desligado em #cafe: seus comandos e ganchos param aqui.")
        #expect(bots.send("/oi")?.error?.code == "bot_off")
        _ = bots.send("baixinho")
        _ = bots.send("/entrar cafe", as: bots.ana)
        let cafe = bots.outbox.messages(to: bots.bia)
        #expect(cafe.contains("baixinho") && !cafe.contains("bem-vindo, ana"), "\(cafe)")
        #expect(bots.send("/sala geral")?.error == nil)
        #expect(bots.send("/oi")?.text == "oi")
        #expect(bots.send("/bots", as: bots.ana)?.text.contains("desligado em #cafe") == true)
        let restarted = try BotHarness(files: ["eco.lua": source], storage: storage)
        _ = restarted.send("/entrar cafe")
        #expect(restarted.send("/oi")?.error?.code == "bot_off")
        #expect(restarted.send("/bot ligar eco")?.error?.code == "not_moderator")
    }

    @Test func historyAndIdleTimes() throws {
        let bots = try BotHarness(files: ["h.lua": """
            papo.command{name = 'h', run = function(ctx)
              local rows = papo.history(ctx.room, 2)
              local out = {}
              for _, r in ipairs(rows) do out[#out + 1] = r.user .. ':' .. r.text end
              local _, why = papo.history('nenhuma')
              local idle
              for _, u in ipairs(papo.users()) do if u.name == 'bia' then idle = u.idle .. ' ' .. type(u.connected_since) end end
              return table.concat(out, ',') .. ' ' .. why .. ' ' .. idle
            end}
            """])
        _ = bots.send("um")
        _ = bots.send("dois", as: bots.ana)
        _ = bots.send("três")
        #expect(bots.send("/h")?.text == "ana:dois,bia:três no_such_room 0 number")
    }
}
