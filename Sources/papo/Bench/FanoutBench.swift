import ArgumentParser
import ChatServer
import Foundation
import Histogram
import NIOCore
import NIOPosix

/// `papo bench fanout`: N members of one room, P senders, M messages as
/// fast as possible, against a running Papo and, with `--redis`, against a
/// Redis server's pub/sub on one channel. One NIO thread drives every
/// connection (event-driven, not a thread per connection). With
/// `--stalled`, some extra members stop reading: the others must not slow
/// down, and the server must drop the stalled ones.
struct FanoutBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout",
        abstract: "Room fan-out deliveries per second and latency, Papo beside Redis pub/sub.")

    @Option(help: "Port of a running Papo.") var port = 4242
    @Option(help: "Port of a running Redis to compare with.") var redis: Int?
    @Option(help: "Room members (subscribers).") var members = 100
    @Option(help: "Senders (publishers); each is also a member on Papo.") var senders = 1
    @Option(help: "Messages in all.") var messages = 20000
    @Option(help: "Payload bytes.") var size = 64
    @Option(help: "Papo wire format of every bench client: text (what nc users get) or json.")
    var format: BenchFormat = .text
    @Option(help: "Extra Papo members that never read (Papo only).") var stalled = 0
    @Option(help: "Rooms each Papo member is in, #geral included; the messages still go to #geral (issue #12).")
    var roomsPerMember = 1
    @Option(help: "Runs per system, alternating Papo and Redis; medians are compared.") var runs = 1
    @OptionGroup var server: ServerWatch

    func run() async throws {
        _ = FileLimit.raise()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        print("papo bench fanout: \(members) members, \(senders) sender(s), \(messages) messages of \(size) bytes, "
              + "papo clients in \(format.rawValue)" + (stalled > 0 ? ", \(stalled) stalled member(s)" : "")
              + (roomsPerMember > 1 ? ", each member in \(roomsPerMember) rooms" : ""))
        print(BenchResult.header)
        var papoRates: [Double] = [], redisRates: [Double] = []
        for _ in 0..<max(1, runs) {
            let cpu0 = server.cpu()
            let papo = try await runPapo(loop)
            print(papo.line("papo"))
            server.report(since: cpu0, label: "papo server CPU during the papo run")
            papoRates.append(papo.rate)
            if let redis {
                let result = try await runRedis(loop, port: redis)
                print(result.line("redis"))
                redisRates.append(result.rate)
            }
        }
        if !redisRates.isEmpty {
            let papo = papoRates.median, redis = redisRates.median
            print(String(format: "median deliveries/s: papo %.0f, redis %.0f; papo/redis: %.2f×", papo, redis, papo / redis))
        }
        try await group.shutdownGracefully()
    }

    private func runPapo(_ loop: EventLoop) async throws -> BenchResult {
        var receivers: [StampCounter] = []
        var channels: [Channel] = []
        for i in 0..<members {
            let (channel, counter) = try await BenchLink.papo(loop, port: port, name: BenchLink.name("fan", i),
                                                              format: format)
            receivers.append(counter)
            channels.append(channel)
        }
        var stalledChannels: [Channel] = []
        for i in 0..<stalled {
            let (channel, _) = try await BenchLink.papo(loop, port: port, name: BenchLink.name("parado", i),
                                                        format: format, receiveBuffer: 4096)
            stalledChannels.append(channel)
        }
        try await BenchLink.awaitWelcome(receivers, on: loop)
        try await joinExtraRooms(channels)
        try await Task.sleep(for: .milliseconds(100))
        for channel in stalledChannels { try await channel.setOption(.autoRead, value: false).get() }
        let sending = Array(channels.prefix(senders))
        let format = self.format, size = self.size
        let result = try await measure(loop, receivers: receivers) { index in
            sending[index % sending.count].write(
                BenchLink.papoLine(Payload.make(size: size, index: index), format: format), promise: nil)
        } flush: {
            for channel in sending { channel.flush() }
        }
        if !stalledChannels.isEmpty { try await report(stalled: stalledChannels) }
        for channel in channels + stalledChannels { try? await channel.close() }
        return result
    }

    /// Puts every member in `roomsPerMember - 1` more rooms (the same ones
    /// for all), then back to speaking in #geral, and gives the server time
    /// to send the join notices before the measurement.
    private func joinExtraRooms(_ channels: [Channel]) async throws {
        guard roomsPerMember > 1 else { return }
        let format = self.format
        let lines = (1..<roomsPerMember).map { "/entrar mais\($0)" } + ["/sala geral"]
        for channel in channels {
            try await channel.eventLoop.submit {
                for line in lines { channel.write(BenchLink.papoLine(line, format: format), promise: nil) }
                channel.flush()
            }.get()
        }
        try await Task.sleep(for: .milliseconds(max(500, members * roomsPerMember / 4)))
    }

    /// Says whether the server closed the members that stopped reading.
    private func report(stalled: [Channel]) async throws {
        // The server's close reaches us after the bytes queued before it, so
        // read again to see it.
        for channel in stalled { try await channel.setOption(.autoRead, value: true).get() }
        let deadline = ContinuousClock.now + .seconds(10)
        var open = stalled.count
        while ContinuousClock.now < deadline {
            open = try await stalled.first!.eventLoop.submit { stalled.filter(\.isActive).count }.get()
            if open == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        print("stalled members disconnected by the server: \(stalled.count - open) of \(stalled.count)")
        if let pid = server.serverPid, let memory = ServerProcess.memory(pid: pid) {
            print(String(format: "server memory: resident %.1f MiB now, peak %.1f MiB", Double(memory.resident) / 1048576,
                         Double(memory.peak) / 1048576))
        }
    }

    private func runRedis(_ loop: EventLoop, port: Int) async throws -> BenchResult {
        var receivers: [StampCounter] = []
        var channels: [Channel] = []
        for _ in 0..<members {
            let (channel, counter) = try await BenchLink.redisSubscriber(loop, port: port)
            receivers.append(counter)
            channels.append(channel)
        }
        var publishers: [Channel] = []
        for _ in 0..<senders { publishers.append(try await BenchLink.redisPublisher(loop, port: port)) }
        try await Task.sleep(for: .milliseconds(300))
        let size = self.size
        let result = try await measure(loop, receivers: receivers) { index in
            publishers[index % publishers.count].write(
                BenchLink.redisPublish(Payload.make(size: size, index: index)), promise: nil)
        } flush: {
            for channel in publishers { channel.flush() }
        }
        for channel in channels + publishers { try? await channel.close() }
        return result
    }

    /// Sends `messages` in bursts, then waits until every receiver has them
    /// all (or 60 s pass). Deliveries per second over that span.
    private func measure(_ loop: EventLoop, receivers: [StampCounter], send: @escaping (Int) -> Void,
                         flush: @escaping () -> Void) async throws -> BenchResult {
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
        let closed = try await loop.submit { receivers.filter(\.closed).count }.get()
        if closed > 0 { throw BenchFailure("the server closed \(closed) receiving bench clients during the run") }
        if try await loop.submit({ slowest() }).get() < messages {
            throw BenchFailure("not every message reached every receiver within 60 s")
        }
        let (total, merged, size) = try await loop.submit { BenchResult.collect(receivers) }.get()
        return BenchResult(rate: Double(total) / seconds, latency: merged, cpu: ProcessCPU.now() - cpu0,
                           bytesPerDelivery: size)
    }
}

/// The wire format bench clients speak to Papo.
enum BenchFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json

    /// What starts (text: is inside) a delivered room message in this format.
    var marker: [UInt8] {
        switch self {
        case .text: Array("#geral <".utf8)
        case .json: Array(#"{"type":"message""#.utf8)
        }
    }
}
