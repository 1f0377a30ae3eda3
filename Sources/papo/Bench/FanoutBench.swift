import ArgumentParser
import ChatServer
import Foundation
import Histogram
import NIOCore
import NIOPosix

/// `papo bench fanout`: N members of one room, P senders, M messages as
/// fast as possible, against a running Papo and, with `--redis`, against a
/// Redis server's pub/sub on one channel. One NIO thread drives every
/// connection (event-driven, not a thread per connection).
struct FanoutBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout",
        abstract: "Room fan-out deliveries per second and latency, Papo beside Redis pub/sub.")

    @Option(help: "Port of a running Papo (started with a generous outbound limit for big rooms).") var port = 4242
    @Option(help: "Port of a running Redis to compare with.") var redis: Int?
    @Option(help: "Room members (subscribers).") var members = 100
    @Option(help: "Senders (publishers); each is also a member on Papo.") var senders = 1
    @Option(help: "Messages in all.") var messages = 20000
    @Option(help: "Payload bytes.") var size = 64
    @Option(help: "Pid of the Papo server, to report its CPU time.") var serverPid: Int32?
    @Option(help: "Papo wire format of every bench client: text (what nc users get) or json.")
    var format: BenchFormat = .text

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        print("papo bench fanout: \(members) members, \(senders) sender(s), \(messages) messages of \(size) bytes, "
              + "papo clients in \(format.rawValue)")
        print("system          deliveries/s      p50 µs    p99 µs  p99.9 µs    max µs   generator CPU s")
        let papo = try await runPapo(loop)
        print(papo.line("papo"))
        if let redis {
            let result = try await runRedis(loop, port: redis)
            print(result.line("redis"))
            print(String(format: "papo/redis: %.2f×", papo.rate / result.rate))
        }
        if let serverPid, let cpu = ServerCPU.seconds(pid: serverPid) {
            print(String(format: "papo server CPU so far: %.2f s", cpu))
        }
        try await group.shutdownGracefully()
    }

    struct Result {
        var rate: Double
        var latency: Histogram<UInt64>
        var cpu: Double
        func line(_ name: String) -> String {
            name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(
                format: " %12.0f  %9d %9d %9d %9d   %8.2f", rate, latency.valueAtPercentile(50),
                latency.valueAtPercentile(99), latency.valueAtPercentile(99.9), latency.max, cpu)
        }
    }

    private func runPapo(_ loop: EventLoop) async throws -> Result {
        var receivers: [StampCounter] = []
        var channels: [Channel] = []
        for i in 0..<members {
            let receiver = StampCounter(marker: format.marker)
            let channel = try await connect(loop, port: port, handler: receiver)
            let name = "fan\(i)-\(UInt16.random(in: 0...9999))"
            try await channel.writeAndFlush(line(format == .json ? #"{"type":"hello","name":"\#(name)"}"# : name))
            receivers.append(receiver)
            channels.append(channel)
        }
        try await Task.sleep(for: .milliseconds(300))
        let sending = Array(channels.prefix(senders))
        let format = self.format, size = self.size
        return try await measure(loop, receivers: receivers) { index in
            let payload = Payload.make(size: size, index: index)
            sending[index % sending.count].write(
                line(format == .json ? #"{"type":"say","text":"\#(payload)"}"# : payload), promise: nil)
        } flush: {
            for channel in sending { channel.flush() }
        } close: {
            for channel in channels { try? await channel.close() }
        }
    }

    private func runRedis(_ loop: EventLoop, port: Int) async throws -> Result {
        var receivers: [StampCounter] = []
        var channels: [Channel] = []
        for _ in 0..<members {
            let receiver = StampCounter(marker: StampCounter.redisMarker)
            let channel = try await connect(loop, port: port, handler: receiver)
            try await channel.writeAndFlush(line("SUBSCRIBE papo-bench"))
            receivers.append(receiver)
            channels.append(channel)
        }
        var publishers: [Channel] = []
        for _ in 0..<senders {
            publishers.append(try await connect(loop, port: port, handler: StampCounter(marker: StampCounter.redisMarker)))
        }
        try await Task.sleep(for: .milliseconds(300))
        return try await measure(loop, receivers: receivers) { index in
            let payload = Payload.make(size: size, index: index)
            publishers[index % publishers.count].write(
                ByteBuffer(string: "*3\r\n$7\r\nPUBLISH\r\n$10\r\npapo-bench\r\n$\(payload.utf8.count)\r\n\(payload)\r\n"),
                promise: nil)
        } flush: {
            for channel in publishers { channel.flush() }
        } close: {
            for channel in channels + publishers { try? await channel.close() }
        }
    }

    /// Sends `messages` in bursts, then waits until every receiver has them
    /// all (or 60 s pass). Deliveries per second over that span.
    private func measure(_ loop: EventLoop, receivers: [StampCounter], send: @escaping (Int) -> Void,
                         flush: @escaping () -> Void, close: () async -> Void) async throws -> Result {
        try await loop.submit { receivers.forEach { $0.reset() } }.get()
        func slowest() -> Int { receivers.map(\.log.delivered).min() ?? 0 }
        let cpu0 = ProcessCPU.now()
        let start = ContinuousClock.now
        let burst = 200
        var sent = 0
        while sent < messages {
            let first = sent, count = min(burst, messages - sent)
            try await loop.submit {
                for index in first..<first + count { send(index) }
                flush()
            }.get()
            sent += count
            // Pace bursts by the slowest receiver so no queue grows without bound.
            while true {
                let behind = try await loop.submit { slowest() }.get()
                if sent - behind <= burst * 10 || ContinuousClock.now - start > .seconds(60) { break }
                try await Task.sleep(for: .microseconds(200))
            }
        }
        while try await loop.submit({ slowest() }).get() < messages,
              ContinuousClock.now - start < .seconds(60) {
            try await Task.sleep(for: .milliseconds(1))
        }
        let seconds = (ContinuousClock.now - start).seconds
        let (total, merged) = try await loop.submit { () -> (Int, Histogram<UInt64>) in
            var merged = DeliveryLog.histogram()
            for receiver in receivers { merged.add(receiver.log.latency) }
            return (receivers.map(\.log.delivered).reduce(0, +), merged)
        }.get()
        let cpu = ProcessCPU.now() - cpu0
        await close()
        return Result(rate: Double(total) / seconds, latency: merged, cpu: cpu)
    }

    /// A connection whose raw bytes go to `handler`.
    private func connect(_ loop: EventLoop, port: Int, handler: StampCounter) async throws -> Channel {
        try await ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }

    private func line(_ text: String) -> ByteBuffer {
        ByteBuffer(string: text + "\r\n")
    }
}

/// The wire format bench clients speak to Papo.
enum BenchFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json

    /// What starts (text: is inside) a delivered chat message in this format.
    var marker: [UInt8] {
        switch self {
        case .text: Array("#geral <fan".utf8)
        case .json: Array(#"{"type":"message""#.utf8)
        }
    }
}

/// CPU time of another process, from /proc (Linux).
enum ServerCPU {
    static func seconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
