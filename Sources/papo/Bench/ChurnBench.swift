import ArgumentParser
import ChatServer
import Foundation
import Histogram
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// `papo bench churn`: users arriving and leaving in a loop. Each of C
/// workers repeats connect → name → `/entrar` a room → `/sair` → wait for
/// the server to close, for S seconds; reports cycles per second and the
/// latency of a whole cycle.
struct ChurnBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "churn", abstract: "Connect, name, join, leave and disconnect in a loop.")

    @Option(help: "Port of a running Papo.") var port = 4242
    @Option(help: "Workers churning at once.") var concurrency = 20
    @Option(help: "Seconds of churn.") var seconds = 5
    @Option(help: "Rooms the workers join.") var rooms = 10
    @OptionGroup var server: ServerWatch

    func run() async throws {
        _ = FileLimit.raise()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // Bystanders in every room, so joins and leaves are announced to someone.
        var bystanders: [BenchClient] = []
        for room in 0..<rooms {
            let client = try await BenchClient.connect(group: group, port: port, name: BenchLink.name("fica", room))
            try await client.request("/entrar churn\(room)")
            bystanders.append(client)
        }
        print("papo bench churn: \(concurrency) workers for \(seconds) s over \(rooms) rooms (each with a bystander)")
        print("system          cycles/s      p50 µs   p99 µs p99.9 µs   max µs  mean µs   generator CPU s")
        let cpu0 = ProcessCPU.now(), serverCPU = server.cpu()
        let start = ContinuousClock.now
        let end = start + .seconds(seconds)
        let latency = NIOLockedValueBox(DeliveryLog.histogram())
        let failures = NIOLockedValueBox(0)
        let port = self.port, rooms = self.rooms
        let cycles = try await withThrowingTaskGroup(of: Int.self) { tasks in
            for worker in 0..<concurrency {
                tasks.addTask {
                    var done = 0
                    while ContinuousClock.now < end {
                        let began = ContinuousClock.now
                        do {
                            let client = try await BenchClient.connect(group: group, port: port,
                                                                       name: BenchLink.name("vai\(worker)-", done))
                            try await client.request("/entrar churn\((worker + done) % rooms)")
                            try await client.request("/sair")
                            try await client.channel.closeFuture.get()
                            let micros = UInt64(max(1, (ContinuousClock.now - began).microseconds))
                            latency.withLockedValue { _ = $0.record(micros) }
                            done += 1
                        } catch {
                            failures.withLockedValue { $0 += 1 }
                        }
                    }
                    return done
                }
            }
            return try await tasks.reduce(0, +)
        }
        let elapsed = (ContinuousClock.now - start).seconds
        print("papo".padding(toLength: 14, withPad: " ", startingAt: 0)
              + String(format: " %9.0f   ", Double(cycles) / elapsed) + latency.withLockedValue(\.summary)
              + String(format: "   %8.2f", ProcessCPU.now() - cpu0))
        print("cycles: \(cycles), failed: \(failures.withLockedValue { $0 })")
        server.report(since: serverCPU)
        for client in bystanders { await client.close() }
        try await group.shutdownGracefully()
    }
}
