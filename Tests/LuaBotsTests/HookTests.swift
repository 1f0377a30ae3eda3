import BotEngine
import ChatCore
import Foundation
import LuaBots
import Testing

/// One message hook and what the room must see.
struct HookCase: CustomTestStringConvertible, Sendable {
    let name: String
    let hook: String
    let line: String
    /// What ana (in the same room) sees; nil when nothing reaches the room.
    let delivered: String?
    let errorCode: String?
    var testDescription: String { name }
}

@Suite("Lua message hooks", .timeLimit(.minutes(1)))
struct HookTests {
    static let cases: [HookCase] = [
        HookCase(name: "nil lets the message through", hook: "return nil", line: "olá", delivered: "olá", errorCode: nil),
        HookCase(name: "a string replaces the text", hook: "return msg.text:upper()", line: "olá", delivered: "OLá",
                 errorCode: nil),
        HookCase(name: "false stops it with a reason", hook: "return false, 'proibido'", line: "olá", delivered: nil,
                 errorCode: "blocked"),
        HookCase(name: "a runtime error still delivers the message", hook: "error('quebrei')", line: "olá",
                 delivered: "olá", errorCode: nil),
        HookCase(name: "a runaway hook is stopped and the message delivered", hook: "while true do end", line: "olá",
                 delivered: "olá", errorCode: nil),
        HookCase(name: "a replacement is validated like any message", hook: "return '\\27[2J'", line: "olá",
                 delivered: nil, errorCode: "control_characters"),
        HookCase(name: "a table return is ignored", hook: "return {}", line: "olá", delivered: "olá", errorCode: nil),
        HookCase(name: "the hook sees who speaks", hook: "return msg.user .. '@' .. msg.room .. ': ' .. msg.text",
                 line: "oi", delivered: "bia@geral: oi", errorCode: nil),
    ]

    @Test(arguments: cases)
    func hook(_ row: HookCase) throws {
        let bots = try BotHarness(files: ["gancho.lua": "papo.on_message(function(msg) \(row.hook) end)"])
        let reply = try #require(bots.send(row.line))
        #expect(reply.error?.code == row.errorCode)
        #expect(bots.outbox.messages(to: bots.ana).last == row.delivered)
        if row.errorCode == "blocked" {
            #expect(reply.error == .blockedByBot("proibido"))
        }
    }

    @Test func papoSaySpeaksInTheCallersRoomAsTheBot() throws {
        let bots = try BotHarness(files: ["fala.lua": """
            papo.command{name = 'anuncia', run = function(ctx) return tostring(papo.say('atenção: ' .. ctx.args)) end}
            papo.command{name = 'mal', run = function(ctx) local ok, why = papo.say(''); return why end}
            local outside = pcall(papo.say, 'no carregamento')
            papo.command{name = 'fora', run = function() return tostring(outside) end}
            """])
        #expect(bots.send("/anuncia reunião")?.text == "true")
        #expect(bots.outbox.messages(to: bots.ana).last == "atenção: reunião")
        #expect(bots.send("/mal")?.text == "message_empty")
        #expect(bots.send("/fora")?.text == "false")
        #expect(bots.send("/stats")?.text.contains("mensagens enviadas: 0") == true)
    }

    @Test func commandsDoNotGoThroughMessageHooks() throws {
        let bots = try BotHarness(files: ["gancho.lua": "papo.on_message(function() return false, 'não' end)"])
        #expect(bots.send("/ping")?.text == "pong")
    }

    @Test func reloadingReplacesAndDeletingRemovesTheHook() throws {
        let bots = try BotHarness(files: ["gancho.lua": "papo.on_message(function(m) return m.text .. '!' end)"])
        for _ in 0..<5 { _ = bots.send("/reload", as: bots.ana) }
        _ = bots.send("oi")
        #expect(bots.outbox.messages(to: bots.ana).last == "oi!")
        try bots.delete("gancho.lua")
        _ = bots.send("/reload", as: bots.ana)
        _ = bots.send("oi")
        #expect(bots.outbox.messages(to: bots.ana).last == "oi")
    }

    @Test func theShippedWordFilterMasksAndBlocks() throws {
        let source = try BotHarness.shipped("filtro.lua")
        let bots = try BotHarness(files: ["filtro.lua": source])
        _ = bots.send("você é bobo e chato")
        #expect(bots.outbox.messages(to: bots.ana).last == "você é **** e *****")
        _ = bots.send("bobagem não é bobo")
        #expect(bots.outbox.messages(to: bots.ana).last == "bobagem não é ****")
        #expect(bots.send("PAREM DE GRITAR AGORA")?.error?.code == "blocked")
    }
}

@Suite("Lua API: whisper, users, rooms", .timeLimit(.minutes(1)))
struct ActionAPITests {
    @Test func whisperUsersAndRoomsSeeTheChat() throws {
        let bots = try BotHarness(files: ["api.lua": """
            papo.command{name = 'cochicha', run = function(ctx)
              local ok, why = papo.whisper(ctx.words[1], 'psiu de ' .. ctx.user)
              return tostring(ok) .. ' ' .. tostring(why)
            end}
            papo.command{name = 'quem', run = function()
              local out = {}
              for _, u in ipairs(papo.users()) do out[#out + 1] = u.name .. '@' .. u.room .. ':' .. u.role end
              return table.concat(out, ' ')
            end}
            papo.command{name = 'onde', run = function()
              local out = {}
              for _, r in ipairs(papo.rooms()) do out[#out + 1] = r.name .. '=' .. r.members end
              return table.concat(out, ' ')
            end}
            local early = pcall(papo.users)
            papo.command{name = 'cedo', run = function() return tostring(early) end}
            """])
        #expect(bots.send("/cochicha ana")?.text == "true nil")
        #expect(bots.outbox.privateTexts(to: bots.ana).last == "psiu de bia")
        #expect(bots.outbox.privateTexts(to: bots.bia).isEmpty)
        #expect(bots.send("/cochicha ninguem")?.text == "nil no_such_user")
        #expect(bots.send("/quem")?.text == "ana@geral:admin bia@geral:user")
        _ = bots.send("/entrar jogos")
        #expect(bots.send("/onde")?.text == "geral=2 jogos=1")
        #expect(bots.send("/cedo")?.text == "false")
    }
}
