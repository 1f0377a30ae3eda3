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

    /// Each call stays under the instruction limit, but one after another
    /// they pass the script's share: the script rests, the others do not.
    @Test func aScriptThatKeepsTheCPUBusyRestsAndComesBack() throws {
        let bots = try BotHarness(files: [
            "pesado.lua": """
                papo.command{name = "pesado", run = function()
                  local x = 0
                  for i = 1, 300000 do x = x + i end
                  return "feito"
                end}
                """,
            "leve.lua": "papo.command{name = 'leve', run = function() return 'ok' end}",
        ], botCPU: BotCPULimits(share: 0.05, burst: 0.02))
        var refusal: String?
        // About 1.5 ms of CPU a call: many calls, so even a starved test thread
        // (the bucket refills by wall time) spends faster than it refills.
        for _ in 0..<400 {
            let reply = try #require(bots.send("/pesado", as: bots.ana))
            if case .botFailed(_, let detail)? = reply.error {
                refusal = detail
                break
            }
            #expect(reply.text == "feito")
        }
        let detail = try #require(refusal)
        #expect(detail.contains("pesado.lua: cpu budget exceeded (resumes in"), "\(detail)")
        // An ordinary user sees the usual bot error, without the detail.
        #expect(bots.send("/pesado")?.error == .botFailed(command: "pesado", detail: nil))
        // Other scripts and the built-ins are not held back.
        #expect(bots.send("/leve")?.text == "ok")
        #expect(bots.send("/ping")?.text == "pong")
        // After its rest, the script runs again.
        let seconds = Double(detail.split(separator: " ").dropLast().last.flatMap { Int($0) } ?? 1)
        Thread.sleep(forTimeInterval: seconds + 0.1)
        #expect(bots.send("/pesado", as: bots.ana)?.text == "feito")
    }
}
