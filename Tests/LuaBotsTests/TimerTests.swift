import BotEngine
import ChatCore
import Foundation
import LuaBots
import Testing

@Suite("Lua timers", .timeLimit(.minutes(1)))
struct TimerTests {
    /// Waits up to `seconds` for `condition`.
    static func wait(_ seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test func afterFiresOnceInTheCreatorsRoom() throws {
        let bots = try BotHarness(files: ["t.lua": """
            papo.command{name = 'daqui', run = function(ctx)
              papo.after(1, function() papo.say('passou um segundo') end)
            end}
            """])
        _ = bots.send("/daqui")
        #expect(Self.wait(5) { bots.outbox.messages(to: bots.ana).contains("passou um segundo") })
        usleep(1_300_000)
        #expect(bots.outbox.messages(to: bots.ana).filter { $0 == "passou um segundo" }.count == 1)
    }

    @Test func reloadAndDeleteKillTheScriptsTimers() throws {
        let bots = try BotHarness(files: ["t.lua": "papo.every(1, function() papo.say('tique') end)"])
        #expect(Self.wait(5) { bots.outbox.messages(to: bots.ana).contains("tique") })
        try bots.delete("t.lua")
        _ = bots.send("/reload", as: bots.ana)
        let after = bots.outbox.messages(to: bots.ana).count
        usleep(2_200_000)
        #expect(bots.outbox.messages(to: bots.ana).count == after, "a ghost timer kept firing")
    }

    @Test func aTimerThatThrowsDoesNotHurtOthersAndKeepsItsSchedule() throws {
        let bots = try BotHarness(files: ["t.lua": """
            local n = 0
            papo.every(1, function() n = n + 1; papo.say('vez ' .. n); error('falhei') end)
            papo.every(1, function() while true do end end)
            """])
        #expect(Self.wait(6) { bots.outbox.messages(to: bots.ana).contains("vez 2") })
        #expect(bots.send("/ping")?.text == "pong")
    }

    @Test func timerArgumentsAndCountsAreChecked() throws {
        let bots = try BotHarness(files: ["t.lua": """
            papo.command{name = 'zero', run = function() papo.after(0, function() end) end}
            papo.command{name = 'muitos', run = function() for i = 1, 60 do papo.after(60, function() end) end end}
            papo.command{name = 'cancela', run = function()
              local id = papo.every(1, function() papo.say('não devia') end)
              papo.cancel(id)
              return 'ok'
            end}
            """])
        #expect(bots.send("/cancela")?.text == "ok")
        usleep(1_500_000)
        #expect(!bots.outbox.messages(to: bots.ana).contains("não devia"))
        guard case .botFailed(_, let zero)? = bots.send("/zero", as: bots.ana)?.error,
              case .botFailed(_, let many)? = bots.send("/muitos", as: bots.ana)?.error else {
            Issue.record("expected bot errors")
            return
        }
        #expect(zero?.contains("de 1 segundo a 7 dias") == true)
        #expect(many?.contains("timers demais") == true)
    }

    @Test func theShippedReminderWorks() throws {
        let source = try BotHarness.shipped("lembrete.lua")
        let bots = try BotHarness(files: ["lembrete.lua": source])
        #expect(bots.send("/lembrete 1s pizza no forno")?.text == "Combinado: lembro #geral em 1s.")
        #expect(bots.send("/lembrete amanhã pizza")?.text.hasPrefix("Uso:") == true)
        #expect(bots.send("/lembrete 25h pizza")?.text.hasPrefix("Uso:") == true)
        #expect(Self.wait(5) { bots.outbox.messages(to: bots.ana).contains("⏰ Lembrete de bia: pizza no forno") })
    }
}
