import ArgumentParser
import Foundation
import Histogram
import NIOPosix

/// `papo bench hostile`: other users' `/ping` latency while hostile scripts
/// run. Attackers call a command that spends every call in long C calls
/// (backtracking patterns), one that floods `papo.say`, one that storms the
/// store, and chat lines that pass a pattern-heavy message hook; timers fail
/// with megabyte errors every second. The observers only ping.
struct HostileBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostile",
        abstract: "Measure others' /ping latency while hostile Lua scripts run (issue #10).")

    @Option(help: "Seconds of each phase (quiet, then under attack).") var seconds = 10.0
    @Option(help: "Users who only ping.") var observers = 5
    @Option(help: "Users who keep calling the hostile commands.") var attackers = 3

    static let script = """
        -- Every call burns its whole deadline in C (a backtracking pattern, retried).
        papo.command{name = 'trava', run = function()
          while true do pcall(string.find, string.rep('a', 1e5), '.-b') end
        end}
        -- 10,000 long lines to the room.
        papo.command{name = 'fala', run = function()
          for i = 1, 10000 do papo.say(string.rep('x', 1900)) end
        end}
        -- Rewrites its keys with 60 KB values as fast as it can.
        papo.command{name = 'grava', run = function()
          for i = 1, 1000 do pcall(papo.store.set, 'k' .. (i % 100), string.rep(tostring(i % 10), 60000)) end
        end}
        -- Every message passes a pattern over a long subject.
        papo.on_message(function(msg) string.find(string.rep(msg.text, 2000), '.-%d$') end)
        for i = 1, 10 do papo.every(1, function() error(string.rep('e', 1e6)) end) end
        papo.every(1, function() for i = 1, 10000 do papo.say(string.rep('y', 1900)) end end)
        """

    func run() async throws {
        let bots = FileManager.default.temporaryDirectory.appendingPathComponent("papo-bench-bots-\(UUID().uuidString)")
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("papo-bench-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bots, withIntermediateDirectories: true)
        try Self.script.write(to: bots.appendingPathComponent("ruim.lua"), atomically: true, encoding: .utf8)
        let server = try await EmbeddedServer.start(bots: bots, data: data)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        print("papo bench hostile — embedded server on 127.0.0.1:\(server.port); generator: 1 NIO thread")
        print("parameters: \(observers) observers, \(attackers) attackers, \(seconds) s per phase\n")

        var watchers: [BenchClient] = []
        for i in 0..<observers { watchers.append(try await BenchClient.connect(group: group, port: server.port, name: "obs\(i)")) }
        var attacking: [BenchClient] = []
        for i in 0..<attackers { attacking.append(try await BenchClient.connect(group: group, port: server.port, name: "atk\(i)")) }

        let quiet = try await measure(watchers, attackers: [])
        let attacked = try await measure(watchers, attackers: attacking)
        print("/ping of others (µs)      p50      p99    p99.9      max   pings")
        for (name, h) in [("quiet (bots loaded)  ", quiet.histogram), ("under attack         ", attacked.histogram)] {
            print(name + String(format: " %8d %8d %8d %8d %7d", h.valueAtPercentile(50), h.valueAtPercentile(99),
                                h.valueAtPercentile(99.9), h.max, h.totalCount))
        }
        print("attacker calls answered: \(attacked.attackerCalls)")
        let p99 = Double(attacked.histogram.valueAtPercentile(99)) / 1000
        print(String(format: "others' /ping p99 under attack: %.1f ms (target ≤ 50 ms)", p99))
        var alive = 0
        for watcher in watchers where (try? await watcher.request("/ping")) != nil { alive += 1 }
        print("observers still connected: \(alive) of \(watchers.count) (target: all)")
        for client in watchers + attacking { await client.close() }
        try await group.shutdownGracefully()
        await server.stop()
    }

    private struct Phase {
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        var attackerCalls = 0
    }

    /// Pings from every observer in turn for `seconds`, while each attacker
    /// cycles through the hostile commands and chat lines.
    private func measure(_ watchers: [BenchClient], attackers: [BenchClient]) async throws -> Phase {
        let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        let lines = ["/trava", "/fala", "/grava", "mensagem 1", "/trava", "mensagem 2"]
        let attackTask = Task { () -> Int in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for attacker in attackers {
                    group.addTask {
                        var calls = 0
                        while ContinuousClock.now < end {
                            _ = try await attacker.request(lines[calls % lines.count])
                            calls += 1
                        }
                        return calls
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        var phase = Phase()
        while ContinuousClock.now < end {
            for watcher in watchers {
                let start = ContinuousClock.now
                _ = try await watcher.request("/ping")
                _ = phase.histogram.record(UInt64((ContinuousClock.now - start).microseconds))
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        phase.attackerCalls = try await attackTask.value
        return phase
    }
}
