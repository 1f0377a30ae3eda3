import BotEngine
import ChatCore
import ChatStore
import Foundation
import LuaBots
import Testing

/// Issue #13 (first part): every departure fires `leave` with its cause,
/// and moderation, topics and delivered messages have events of their own.
@Suite("Every event for bots", .timeLimit(.minutes(1)))
struct EveryEventTests {
    static let recorder = """
        local function note(s) papo.store.set('log', (papo.store.get('log') or '') .. s .. ' ') end
        papo.on("leave", function(ev)
          note('leave:' .. ev.user .. '@' .. ev.room .. ':' .. ev.cause .. (ev.by and (':' .. ev.by) or ''))
        end)
        papo.on("kick", function(ev) note('kick:' .. ev.user .. '>' .. ev.target .. '@' .. ev.room) end)
        papo.on("ban", function(ev) note('ban:' .. ev.user .. '>' .. ev.target) end)
        papo.on("unban", function(ev) note('unban:' .. ev.user .. '>' .. ev.target) end)
        papo.on("topic", function(ev) note('topic:' .. ev.user .. '=' .. tostring(ev.text)) end)
        papo.on("moderator", function(ev) note('mod:' .. ev.user .. '>' .. ev.target .. ':' .. tostring(ev.added)) end)
        papo.command{name = 'log', run = function() return papo.store.get('log') end}
        """

    @Test func moderationTopicsAndEveryDepartureReachTheHooks() throws {
        let bots = try BotHarness(files: ["r.lua": Self.recorder])
        // ana is the admin; bia makes #sala and moderates it.
        _ = bots.send("/entrar sala")
        _ = bots.send("/topico regras: nada de spam")
        _ = bots.send("/entrar sala", as: bots.ana)
        _ = bots.send("/sairsala", as: bots.ana)
        _ = bots.send("/entrar sala", as: bots.ana)
        _ = bots.send("/expulsar bia", as: bots.ana)
        _ = bots.send("/entrar sala")
        _ = bots.send("/banir bia", as: bots.ana)
        _ = bots.send("/desbanir bia", as: bots.ana)
        _ = bots.send("/topico -", as: bots.ana)
        let log = bots.send("/log")?.text ?? ""
        // One event, several hooks: they run in the order the script declared them.
        #expect(log == "topic:bia=regras: nada de spam leave:ana@sala:part leave:bia@sala:kick:ana kick:ana>bia@sala "
                    + "leave:bia@sala:ban:ana ban:ana>bia unban:ana>bia topic:ana=nil ", "\(log)")
    }

    @Test func namingAndDroppingModeratorsReachTheHooks() throws {
        let bots = try BotHarness(files: ["r.lua": Self.recorder])
        _ = bots.send("/registrar senha-da-bia")
        _ = bots.send("/registrar senha-da-ana", as: bots.ana)
        _ = bots.send("/entrar sala")
        _ = bots.send("/moderador ana")
        _ = bots.send("/desmoderador ana")
        #expect(bots.send("/log")?.text == "mod:bia>ana:true mod:bia>ana:false ")
    }

    @Test func aMessageEventComesOnlyForMessagesReallySaidWithTheirFinalText() throws {
        let bots = try BotHarness(files: [
            "a_filtro.lua": """
                papo.on_message(function(msg)
                  if msg.text:find("proibido") then return false, "não" end
                  return (msg.text:gsub("feio", "****"))
                end)
                """,
            "b_contador.lua": """
                papo.on("message", function(ev)
                  papo.store.set('visto', (papo.store.get('visto') or '') .. ev.user .. ':' .. ev.text .. '|')
                  papo.say("anotado")
                end)
                papo.command{name = 'visto', run = function() return papo.store.get('visto') end}
                """,
        ])
        _ = bots.send("oi")
        _ = bots.send("isso é proibido")
        _ = bots.send("que feio")
        #expect(bots.send("/visto")?.text == "bia:oi|bia:que ****|")
        // The bot's own words come after the message that caused them, and
        // are not fed back as message events.
        let seen = bots.outbox.messages(to: bots.ana)
        #expect(seen == ["oi", "anotado", "que ****", "anotado"])
    }
}

/// Issue #13: `papo.say(texto, sala)` speaks in the room named; text of
/// several lines is several messages, all checked before any is said.
@Suite("papo.say in a chosen room, several lines", .timeLimit(.minutes(1)))
struct SayAnywhereTests {
    static let script = """
        local function r(ok, err) return tostring(ok) .. " " .. tostring(err) end
        papo.command{name = "lugar", run = function() return r(papo.say("no café", "cafe")) end}
        papo.command{name = "linhas", run = function() return r(papo.say("linha 1\\nlinha 2\\r\\n\\nlinha 3")) end}
        papo.command{name = "ruim", run = function() return r(papo.say("boa\\n\\7ruim")) end}
        papo.command{name = "nenhuma", run = function() return r(papo.say("x", "naoexiste")) end}
        papo.command{name = "invalida", run = function() return r(papo.say("x", "sala ruim")) end}
        papo.command{name = "muitas", run = function() return r(papo.say(string.rep("l\\n", 11))) end}
        """

    @Test func theBotSpeaksInTheRoomNamedAndLineByLine() throws {
        let bots = try BotHarness(files: ["s.lua": Self.script])
        _ = bots.send("/entrar cafe")
        _ = bots.send("/sala geral")
        #expect(bots.send("/lugar")?.text == "true nil")
        #expect(bots.outbox.messages(to: bots.bia).last == "no café")
        #expect(!bots.outbox.messages(to: bots.ana).contains("no café"))
        #expect(bots.send("/linhas")?.text == "true nil")
        #expect(bots.outbox.messages(to: bots.ana).suffix(3) == ["linha 1", "linha 2", "linha 3"])
        let before = bots.outbox.messages(to: bots.ana).count
        #expect(bots.send("/ruim")?.text == "nil control_characters")
        #expect(bots.send("/nenhuma")?.text == "nil no_such_room")
        #expect(bots.send("/invalida")?.text == "nil room_name_invalid")
        #expect(bots.send("/muitas")?.text == "nil bot_flood")
        #expect(bots.outbox.messages(to: bots.ana).count == before)
    }
}

/// Issue #13: failures are visible. `/bots` counts them and shows the last
/// one with file:line; `papo.log` writes lines an admin reads, and follows
/// live, with `/bots log arquivo`.
@Suite("Visible failures and papo.log", .timeLimit(.minutes(1)))
struct VisibleFailureTests {
    static let script = """
        papo.on_message(function(msg)
          if msg.text == "quebra" then error("não entendi " .. msg.text) end
        end)
        papo.command{name = "anota", run = function(ctx) papo.log("anotado por", ctx.user, 42, true, nil, {}) return "ok" end}
        """

    @Test func failuresAndLogLinesReachTheAdmins() throws {
        let bots = try BotHarness(files: ["h.lua": Self.script])
        _ = bots.send("quebra")
        _ = bots.send("quebra")
        let list = try #require(bots.send("/bots", as: bots.ana)?.text)
        #expect(list.contains("✓ h.lua: /anota, 1 gancho(s), 2 falha(s), a última: h.lua:2: não entendi quebra"), "\(list)")
        #expect(bots.send("/anota")?.text == "ok")
        let log = try #require(bots.send("/bots log h.lua", as: bots.ana)?.text)
        #expect(log.contains("Log de h.lua (3 linhas):"), "\(log)")
        #expect(log.contains("] erro: h.lua:2: não entendi quebra"))
        #expect(log.contains("] log: anotado por bia 42 true nil <table>"))
        #expect(log.hasSuffix("As próximas linhas chegam aqui; /bots log para parar."))
        // Following: the next failure reaches ana on its own.
        _ = bots.send("quebra")
        #expect(Self.eventually { bots.outbox.replies(to: bots.ana).contains { $0.unprompted && $0.text.contains("erro: h.lua:2") } })
        #expect(bots.send("/bots log", as: bots.ana)?.text == "Você não segue mais o log de nenhum bot.")
        let told = bots.outbox.replies(to: bots.ana).filter(\.unprompted).count
        _ = bots.send("quebra")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(bots.outbox.replies(to: bots.ana).filter(\.unprompted).count == told)
        #expect(bots.send("/bots log nada.lua", as: bots.ana)?.error?.code == "invalid_argument")
    }

    static func eventually(_ check: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline {
            if check() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return check()
    }
}

/// Issue #13: a script hears of its own lifecycle. `load` runs once it is
/// in (papo.users() works from there), `unload` before /reload replaces it
/// or its file goes; the goodbye comes before the new version's hello.
@Suite("Script lifecycle", .timeLimit(.minutes(1)))
struct LifecycleTests {
    static func version(_ n: Int) -> String {
        """
        papo.on("load", function(ev) papo.say("v\(n) " .. ev.kind .. " com " .. #papo.users() .. " pessoas") end)
        papo.on("unload", function(ev)
          papo.store.set("rodada", "salva por v\(n)")
          papo.say("v\(n) " .. ev.kind)
        end)
        papo.command{name = "rodada", run = function() return tostring(papo.store.get("rodada")) end}
        """
    }

    @Test func loadAndUnloadFrameEveryVersion() throws {
        let bots = try BotHarness(files: ["quiz.lua": Self.version(1)])
        #expect(bots.outbox.messages(to: bots.ana).last == "v1 load com 2 pessoas")
        try bots.write("quiz.lua", Self.version(2))
        _ = bots.send("/reload", as: bots.ana)
        #expect(bots.outbox.messages(to: bots.ana).suffix(2) == ["v1 unload", "v2 load com 2 pessoas"])
        #expect(bots.send("/rodada")?.text == "salva por v1")
        try bots.delete("quiz.lua")
        _ = bots.send("/reload", as: bots.ana)
        #expect(bots.outbox.messages(to: bots.ana).last == "v2 unload")
    }
}
