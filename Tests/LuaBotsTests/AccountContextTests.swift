import BotEngine
import ChatCore
import ChatStore
import Foundation
import Testing

/// Issue #11: a script knows who is who. `ctx.identified`, and for an
/// identified caller `ctx.account` and `ctx.account_id`, in commands and
/// in message hooks.
@Suite("Accounts in the bot API", .timeLimit(.minutes(1)))
struct AccountContextTests {
    /// The points bot of docs/BOTS.md §3, as printed there.
    static let points = """
        local function key(ctx) return "pontos:" .. ctx.account_id end

        papo.command{
          name = "acertei", help = "marca um ponto para você",
          run = function(ctx)
            if not ctx.identified then
              return "Pontos ficam com a sua conta: crie uma com /registrar <senha>."
            end
            local n = (papo.store.get(key(ctx)) or 0) + 1
            papo.store.set(key(ctx), n)
            return ctx.account .. " tem " .. n .. " ponto(s)."
          end,
        }
        """

    static let whoIs = """
        papo.command{name = "quem", run = function(ctx)
          if ctx.identified then return ctx.account .. " " .. ctx.account_id end
          return "convidado " .. tostring(ctx.account) .. " " .. tostring(ctx.account_id)
        end}
        papo.on_message(function(ctx)
          if ctx.identified then return ctx.text .. " [" .. ctx.account .. "]" end
        end)
        """

    @Test func commandsAndHooksSeeTheCallersAccount() throws {
        let storage = MemoryStorage()
        let bots = try BotHarness(files: ["quem.lua": Self.whoIs], storage: storage)
        #expect(bots.send("/quem")?.text == "convidado nil nil")
        _ = bots.send("oi")
        #expect(bots.outbox.messages(to: bots.ana).last == "oi")
        #expect(bots.send("/registrar senha-da-bia")?.error == nil)
        let id = try #require(try storage.load().accounts.first?.id)
        #expect(bots.send("/quem")?.text == "bia \(id)")
        _ = bots.send("oi de novo")
        #expect(bots.outbox.messages(to: bots.ana).last == "oi de novo [bia]")
    }

    @Test func thePointsExampleKeysOnThePersonNotTheName() throws {
        let storage = MemoryStorage()
        let bots = try BotHarness(files: ["pontos.lua": Self.points], storage: storage)
        #expect(bots.send("/acertei")?.text == "Pontos ficam com a sua conta: crie uma com /registrar <senha>.")
        #expect(bots.send("/registrar senha-da-bia")?.error == nil)
        #expect(bots.send("/acertei")?.text == "bia tem 1 ponto(s).")
        #expect(bots.send("/acertei")?.text == "bia tem 2 ponto(s).")
        let id = try #require(try storage.load().accounts.first?.id)
        #expect(try storage.loadBotData()["pontos.lua"] == [BotValueKey(key: "pontos:\(id)"): "2"])
    }
}

/// A second connection identifying while the first is mid-command: the
/// first is told and closed; its command's late answer goes nowhere.
@Suite("Ghost takeover mid-command", .timeLimit(.minutes(1)))
struct GhostMidCommandTests {
    static let slow = """
        papo.command{name = "lento", run = function()
          local t = os.clock()
          while os.clock() - t < 0.2 do end
          return "pronto"
        end}
        """

    @Test func theOldConnectionIsClosedAndTheLateAnswerDropped() throws {
        let bots = try BotHarness(files: ["lento.lua": Self.slow])
        #expect(bots.send("/registrar senha-da-bia")?.error == nil)
        bots.engine.handle(line: "/lento", from: bots.biaID)
        let fresh = Person()
        final class Box: @unchecked Sendable { var result: Result<Welcome, ChatError>? }
        let box = Box()
        bots.engine.connect(name: "bia", password: "senha-da-bia", endpoint: fresh, address: nil,
                            welcomed: { _ in }, completion: { box.result = $0 })
        let newID = try #require(try box.result?.get().id)
        bots.registry.waitUntilIdle()
        let old = bots.outbox.replies(to: bots.bia)
        #expect(old.last?.error == .sessionReplaced)
        #expect(!old.contains { $0.text == "pronto" })
        bots.engine.handle(line: "/ping", from: newID)
        bots.registry.waitUntilIdle()
        #expect(bots.outbox.replies(to: fresh).map(\.text) == ["pong"])
    }
}

/// Issue #12: `ctx.rooms` lists the caller's rooms; `ctx.room` stays the
/// room the command was said in, and `papo.say` speaks there.
@Suite("Several rooms in the bot API", .timeLimit(.minutes(1)))
struct RoomsContextTests {
    @Test func ctxRoomsListsTheCallersRoomsAndSayStaysInTheCallsRoom() throws {
        let bots = try BotHarness(files: ["onde.lua": """
            papo.command{name = "onde", run = function(ctx)
              papo.say("de " .. ctx.room)
              return ctx.room .. ": " .. table.concat(ctx.rooms, ",")
            end}
            """])
        _ = bots.send("/entrar jogos")
        _ = bots.send("/entrar arte")
        _ = bots.send("/sala jogos")
        #expect(bots.send("/onde")?.text == "jogos: geral,jogos,arte")
        // ana (in #geral only) does not hear what the bot said in #jogos.
        #expect(!bots.outbox.messages(to: bots.ana).contains("de jogos"))
        #expect(bots.outbox.messages(to: bots.bia).contains("de jogos"))
    }
}

@Suite("Hooks and several rooms", .timeLimit(.minutes(1)))
struct HookRoomsTests {
    /// A hook sees the sender's role in the room the line goes to, not in
    /// their current room: a moderator of #mod saying into #geral is a user there.
    @Test func aHookSeesTheRoleInTheRoomTheLineGoesTo() throws {
        let bots = try BotHarness(files: ["papel.lua": """
            papo.on_message(function(msg) return msg.text .. " [" .. msg.room .. ":" .. msg.role .. "]" end)
            papo.command{name = "fala", run = function()
              local ok, err = papo.say("nada")
              return tostring(ok) .. " " .. tostring(err)
            end}
            """])
        _ = bots.send("/entrar mod")
        _ = bots.send("/em geral oi")
        #expect(bots.outbox.messages(to: bots.ana).last == "oi [geral:user]")
        _ = bots.send("aqui")
        #expect(bots.outbox.messages(to: bots.bia).last == "aqui [mod:moderator]")
        // In no room, papo.say has nowhere to speak.
        _ = bots.send("/sairsala")
        _ = bots.send("/sairsala")
        #expect(bots.send("/fala")?.text == "nil no_room")
    }
}
