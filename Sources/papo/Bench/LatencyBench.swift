import ArgumentParser
import Foundation
import Histogram
import NIOCore
import NIOPosix

/// `papo bench latency`: steady load, not saturation. N members of one
/// room, P of them sending at R messages per second each for S seconds;
/// every delivery's latency is recorded. Beside Redis with `--redis`
/// (the same number of subscribers, and P separate publishers).
struct LatencyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Delivery latency under a steady message rate, Papo beside Redis pub/sub.")

    @Option(help: "Port of a running Papo.") var port = 4242
    @Option(help: "Port of a running Redis to compare with.") var redis: Int?
    @Option(help: "Room members (subscribers); the senders are among them on Papo.") var members = 50
    @Option(help: "Senders.") var senders = 10
    @Option(help: "Messages per second per sender.") var rate = 50
    @Option(help: "Seconds of sending.") var seconds = 10
    @Option(help: "Payload bytes.") var size = 64
    @Option(help: "Papo wire format of every bench client.") var format: BenchFormat = .text
    @OptionGroup var server: ServerWatch

    func validate() throws {
        // Its senders are members that count their own messages, which IRC does not send back.
        if format == .irc { throw ValidationError("latency speaks text or json; IRC is measured by `papo bench fanout --format irc`") }
    }

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        print("papo bench latency: \(members) members, \(senders) senders × \(rate) msg/s for \(seconds) s, "
              + "\(size)-byte payloads, papo clients in \(format.rawValue)")
        print("system          sent   delivered  expected      p50 µs    p99 µs  p99.9 µs    max µs   generator CPU s")
        var channels: [Channel] = []
        var receivers: [StampCounter] = []
        for i in 0..<members {
            let (channel, counter) = try await BenchLink.papo(loop, port: port, name: BenchLink.name("lat", i),
                                                              format: format)
            channels.append(channel)
            receivers.append(counter)
        }
        try await BenchLink.awaitWelcome(receivers, on: loop)
        let format = self.format, size = self.size
        let serverCPU = server.cpu()
        print(try await measure(loop, receivers: receivers, senders: Array(channels.prefix(senders))) {
            BenchLink.papoLine(Payload.make(size: size, index: $0), format: format)
        }.line("papo"))
        server.report(since: serverCPU, label: "papo server CPU during the papo run")
        for channel in channels { try? await channel.close() }

        if let redis {
            var subscribers: [Channel] = []
            var counters: [StampCounter] = []
            for _ in 0..<members {
                let (channel, counter) = try await BenchLink.redisSubscriber(loop, port: redis)
                subscribers.append(channel)
                counters.append(counter)
            }
            var publishers: [Channel] = []
            for _ in 0..<senders { publishers.append(try await BenchLink.redisPublisher(loop, port: redis)) }
            print(try await measure(loop, receivers: counters, senders: publishers) {
                BenchLink.redisPublish(Payload.make(size: size, index: $0))
            }.line("redis"))
            for channel in subscribers + publishers { try? await channel.close() }
        }
        try await group.shutdownGracefully()
    }

    struct Outcome {
        var sent: Int
        var delivered: Int
        var expected: Int
        var latency: Histogram<UInt64>
        var cpu: Double

        func line(_ name: String) -> String {
            name.padding(toLength: 10, withPad: " ", startingAt: 0) + String(
                format: " %8d %11d %9d   %9d %9d %9d %9d   %8.2f", sent, delivered, expected,
                latency.valueAtPercentile(50), latency.valueAtPercentile(99), latency.valueAtPercentile(99.9),
                latency.max, cpu)
        }
    }

    /// Each sender writes one message every 1/rate s (staggered so the
    /// senders do not fire together) for `seconds`; then a second for the
    /// last deliveries to land.
    private func measure(_ loop: EventLoop, receivers: [StampCounter], senders: [Channel],
                         message: @escaping (Int) -> ByteBuffer) async throws -> Outcome {
        try await Task.sleep(for: .milliseconds(300))
        try await loop.submit { receivers.forEach { $0.reset() } }.get()
        let cpu0 = ProcessCPU.now()
        let period = Int64(1_000_000_000 / max(1, rate))
        let sent = SentCounter()
        let tasks = try await loop.submit {
            senders.enumerated().map { index, channel in
                loop.scheduleRepeatedTask(initialDelay: .nanoseconds(period * Int64(index) / Int64(senders.count)),
                                          delay: .nanoseconds(period)) { _ in
                    channel.writeAndFlush(message(sent.next()), promise: nil)
                }
            }
        }.get()
        try await Task.sleep(for: .seconds(seconds))
        try await loop.submit { tasks.forEach { $0.cancel() } }.get()
        try await Task.sleep(for: .seconds(1))
        let (delivered, latency, _) = try await loop.submit { BenchResult.collect(receivers) }.get()
        let total = try await loop.submit { sent.count }.get()
        return Outcome(sent: total, delivered: delivered, expected: total * receivers.count, latency: latency,
                       cpu: ProcessCPU.now() - cpu0)
    }

    /// Messages sent so far; used on the generator's loop only.
    final class SentCounter: @unchecked Sendable {
        private(set) var count = 0
        func next() -> Int {
            count += 1
            return count
        }
    }
}
