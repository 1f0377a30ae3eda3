import ArgumentParser
import Foundation
import Histogram
import NIOPosix

/// `papo bench commands`: round trips of a Swift built-in (`/ping`) and of
/// a Lua bot command against a running server, one request at a time.
struct CommandsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commands", abstract: "Round-trip latency of /ping and of a Lua bot command.")

    @Option(help: "Port of a running Papo.") var port = 4242
    @Option(help: "Round trips per command, after 200 warm-up ones.") var roundTrips = 3000
    @Option(help: "A Lua command the server's bots provide (the shipped bots have /moeda).") var lua = "/moeda"
    @OptionGroup var server: ServerWatch

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let client = try await BenchClient.connect(group: group, port: port, name: BenchLink.name("cmd", 0))
        print("papo bench commands: \(roundTrips) round trips each, one at a time, JSON client")
        print("command        round trips/s      p50 µs   p99 µs p99.9 µs   max µs  mean µs   generator CPU s")
        var means: [Double] = []
        for command in ["/ping", lua] {
            guard try await client.request(command) else {
                throw ValidationError("\(command) failed on the server: is it a command there?")
            }
            for _ in 0..<200 { try await client.request(command) }
            var latency = DeliveryLog.histogram()
            let cpu0 = ProcessCPU.now(), serverCPU = server.cpu()
            let start = ContinuousClock.now
            for _ in 0..<roundTrips {
                let sent = ContinuousClock.now
                try await client.request(command)
                _ = latency.record(UInt64(max(1, (ContinuousClock.now - sent).microseconds)))
            }
            let rate = Double(roundTrips) / (ContinuousClock.now - start).seconds
            print(command.padding(toLength: 14, withPad: " ", startingAt: 0)
                  + String(format: " %12.0f   ", rate) + latency.summary
                  + String(format: "   %8.2f", ProcessCPU.now() - cpu0))
            server.report(since: serverCPU, label: "  server CPU")
            means.append(latency.mean)
        }
        print(String(format: "%@ / /ping mean round trip: %.2f×", lua, means[1] / means[0]))
        await client.close()
        try await group.shutdownGracefully()
    }
}
