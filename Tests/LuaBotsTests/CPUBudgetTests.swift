import BotEngine
import Foundation
@testable import LuaBots
import Testing

@Suite("Lua CPU budget over time", .timeLimit(.minutes(1)))
struct CPUBudgetTests {
    @Test func theBucketRefusesWhenSpentAndRefillsAtItsShare() {
        var budget = CPUBudget(limits: BotCPULimits(share: 0.1, burst: 0.5), now: 0)
        #expect(budget.wait(now: 0) == nil)
        budget.spend(0.6) // one long call may overdraw it
        let rest = budget.wait(now: 0)
        #expect(rest != nil && abs(rest! - 1.0) < 1e-9) // 0.1 s owed at 0.1 s per second
        #expect(budget.wait(now: 0.5) != nil)
        #expect(budget.wait(now: 1.01) == nil)
        // Refilling stops at the burst: a long rest buys no more than it.
        budget.spend(0.05)
        #expect(budget.wait(now: 1_000) == nil)
        budget.spend(0.5)
        #expect(budget.wait(now: 1_000) != nil)
    }

    @Test func aShareOfZeroTurnsTheLimitOff() {
        var budget = CPUBudget(limits: BotCPULimits(share: 0, burst: 0), now: 0)
        budget.spend(100)
        #expect(budget.wait(now: 0) == nil)
    }

    /// A command that works hard: about 1.2 M instructions, under the
    /// per-call limit.
    static let busyCommand = """
        papo.command{name = "pesado", run = function()
          local x = 0
          for i = 1, 300000 do x = x + i end
          return "feito"
        end}
        """

    /// A share so small that one spent call means a rest of seconds: the
    /// test does not depend on how fast this machine runs.
    static let tiny = BotCPULimits(share: 0.001, burst: 0.002)

    /// Calls /pesado as the admin until it is refused; returns the detail.
    static func tire(_ bots: BotHarness) throws -> String {
        for _ in 0..<400 {
            let reply = try #require(bots.send("/pesado", as: bots.ana))
            if case .botFailed(_, let detail)? = reply.error { return detail ?? "" }
            #expect(reply.text == "feito")
        }
        Issue.record("never refused")
        return ""
    }

    /// Each call stays under the instruction limit, but one after another
    /// they pass the script's share: the script rests, the others do not.
    @Test func aScriptThatKeepsTheCPUBusyRestsAndComesBack() throws {
        let bots = try BotHarness(files: [
            "pesado.lua": Self.busyCommand,
            "leve.lua": "papo.command{name = 'leve', run = function() return 'ok' end}",
        ], botCPU: Self.tiny)
        let detail = try Self.tire(bots)
        #expect(detail.contains("pesado.lua: cpu budget exceeded (resumes in"), "\(detail)")
        // An ordinary user sees the usual bot error, without the detail.
        #expect(bots.send("/pesado")?.error == .botFailed(command: "pesado", detail: nil))
        // Other scripts and the built-ins are not held back.
        #expect(bots.send("/leve")?.text == "ok")
        #expect(bots.send("/ping")?.text == "pong")
        // After its rest, the script runs again.
        let seconds = Double(detail.split(separator: " ").dropLast().last.flatMap { Int($0) } ?? 1)
        Thread.sleep(forTimeInterval: seconds + 0.2)
        #expect(bots.send("/pesado", as: bots.ana)?.text == "feito")
    }

    /// A filter must not be switched off by tiring its script: message
    /// hooks run (and are charged) even while the script rests.
    @Test func aRestingScriptsMessageHookStillFilters() throws {
        let bots = try BotHarness(files: ["filtro.lua": Self.busyCommand + """

            papo.on_message(function(ctx)
              if ctx.text:find("proibido", 1, true) then return false, "palavra proibida" end
            end)
            """], botCPU: Self.tiny)
        _ = try Self.tire(bots)
        let blocked = bots.send("isto é proibido")
        #expect(blocked?.error == .blockedByBot("palavra proibida"), "\(String(describing: blocked))")
        _ = bots.send("isto pode")
        #expect(bots.outbox.messages(to: bots.ana) == ["isto pode"])
    }

    /// A one-shot timer that comes due while its script rests is put off
    /// until the script may run again, not lost.
    @Test func aOneShotTimerDueWhileRestingRunsLater() throws {
        let bots = try BotHarness(files: ["t.lua": Self.busyCommand + """

            papo.command{name = "depois", run = function()
              papo.after(1, function() papo.say("chegou a hora") end)
            end}
            """], botCPU: BotCPULimits(share: 0.0005, burst: 0.002))
        #expect(bots.send("/depois", as: bots.ana)?.error == nil)
        // Tired within milliseconds, with a rest of about 2 s: the timer
        // comes due in the middle of it.
        let detail = try Self.tire(bots)
        #expect(detail.contains("cpu budget exceeded"), "\(detail)")
        #expect(bots.outbox.messages(to: bots.ana).isEmpty)
        let rest = Double(detail.split(separator: " ").dropLast().last.flatMap { Int($0) } ?? 1)
        let deadline = Date().addingTimeInterval(rest + 5)
        while Date() < deadline, !bots.outbox.messages(to: bots.ana).contains("chegou a hora") { usleep(50_000) }
        #expect(bots.outbox.messages(to: bots.ana) == ["chegou a hora"])
    }

    /// Five busy timers a second, while their script rests: one log line
    /// says so, not one per timer per second.
    @Test func restingTimersAreReportedOncePerRest() throws {
        let log = CapturedLog()
        let bots = try BotHarness(files: ["t.lua": """
            local function burn() local x = 0 for i = 1, 300000 do x = x + i end end
            for i = 1, 5 do papo.every(1, burn) end
            """], botCPU: BotCPULimits(share: 0.0005, burst: 0.002), logger: log.logger)
        Thread.sleep(forTimeInterval: 3.5)
        let reports = log.messages.filter { $0.contains("cpu budget exceeded") }
        #expect((1...2).contains(reports.count), "\(reports)")
        _ = bots
    }
}
