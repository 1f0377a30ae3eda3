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
/// down, and the server must drop the stalled ones. With `--format irc`,
/// `--port` is Papo's IRC port and `--irc-server NAME=PORT` adds other IRC
/// servers (Ergo, InspIRCd, ngIRCd) to the same run, driven by the same
/// clients.
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
    @Option(help: "Papo wire format of every bench client: text (what nc users get), json, or irc (--port is then Papo's IRC port).")
    var format: BenchFormat = .text
    @Option(name: .customLong("irc-server"), help: "Another IRC server to compare with, as NAME=PORT (repeatable; --format irc).")
    var ircServers: [String] = []
    @Option(name: .customLong("irc-sender-line"),
            help: "NAME=LINE: a line the senders send to that IRC server once welcomed, {nick} replaced (repeatable; e.g. ngIRCd's OPER and MODE {nick} +F, its flood exemption).")
    var ircSenderLines: [String] = []
    @Option(help: "Extra Papo members that never read (Papo only).") var stalled = 0
    @Option(help: "Rooms each Papo member is in, #geral included; the messages still go to #geral (issue #12).")
    var roomsPerMember = 1
    @Option(help: "Runs per system, alternating Papo and Redis; medians are compared.") var runs = 1
    @OptionGroup var server: ServerWatch

    func validate() throws {
        if !ircServers.isEmpty, format != .irc { throw ValidationError("--irc-server needs --format irc") }
        if format == .irc, redis != nil { throw ValidationError("--redis compares text clients; not with --format irc") }
        if format == .irc, roomsPerMember > 1 { throw ValidationError("--rooms-per-member is for Papo's own formats") }
        for entry in ircServers where ircPort(entry) == nil {
            throw ValidationError("--irc-server wants NAME=PORT, not '\(entry)'")
        }
    }

    private func ircPort(_ entry: String) -> (name: String, port: Int)? {
        let parts = entry.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, let port = Int(parts[1]), !parts[0].isEmpty else { return nil }
        return (String(parts[0]), port)
    }

    func run() async throws {
        _ = FileLimit.raise()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        print("papo bench fanout: \(members) members, \(senders) sender(s), \(messages) messages of \(size) bytes, "
              + "papo clients in \(format.rawValue)" + (stalled > 0 ? ", \(stalled) stalled member(s)" : "")
              + (roomsPerMember > 1 ? ", each member in \(roomsPerMember) rooms" : ""))
        print(BenchResult.header)
        let others = ircServers.compactMap(ircPort)
        var papoRates: [Double] = [], redisRates: [Double] = []
        var otherRates = Array(repeating: [Double](), count: others.count)
        for _ in 0..<max(1, runs) {
            let cpu0 = server.cpu()
            let papo = try await runPapo(loop, port: port, label: "papo")
            print(papo.line("papo"))
            server.report(since: cpu0, label: "papo server CPU during the papo run")
            papoRates.append(papo.rate)
            if let redis {
                let result = try await runRedis(loop, port: redis)
                print(result.line("redis"))
                redisRates.append(result.rate)
            }
            for (index, other) in others.enumerated() {
                let result = try await runPapo(loop, port: other.port, label: other.name)
                print(result.line(other.name))
                otherRates[index].append(result.rate)
            }
        }
        if !redisRates.isEmpty {
            let papo = papoRates.median, redis = redisRates.median
            print(String(format: "median deliveries/s: papo %.0f, redis %.0f; papo/redis: %.2f×", papo, redis, papo / redis))
        }
        for (index, other) in others.enumerated() {
            let papo = papoRates.median, rate = otherRates[index].median
            print(String(format: "median deliveries/s: papo %.0f, %@ %.0f; papo/%@: %.2f×", papo, other.name, rate,
                         other.name, papo / rate))
        }
        try await group.shutdownGracefully()
    }

    /// One run against Papo, or with `--format irc` against any IRC server
    /// on `port`. Senders are members when the format echoes a sender's own
    /// messages; on IRC they are extra connections in the channel.
    private func runPapo(_ loop: EventLoop, port: Int, label: String) async throws -> BenchResult {
        var receivers: [StampCounter] = []
        var channels: [Channel] = []
        for i in 0..<members {
            let (channel, counter) = try await BenchLink.papo(loop, port: port, name: BenchLink.name("fan", i),
                                                              format: format)
            receivers.append(counter)
            channels.append(channel)
        }
        var senderChannels: [Channel] = [], senderCounters: [StampCounter] = []
        if !format.echoesSender {
            for i in 0..<senders {
                let (channel, counter) = try await BenchLink.papo(loop, port: port, name: BenchLink.name("env", i),
                                                                  format: format)
                senderChannels.append(channel)
                senderCounters.append(counter)
            }
        }
        var stalledChannels: [Channel] = []
        for i in 0..<stalled {
            let (channel, _) = try await BenchLink.papo(loop, port: port, name: BenchLink.name("parado", i),
                                                        format: format, receiveBuffer: 4096)
            stalledChannels.append(channel)
        }
        do {
            try await BenchLink.awaitWelcome(receivers + senderCounters, on: loop)
            if format == .irc {
                // An IRC user starts in no channel, and some servers refuse a JOIN before the welcome.
                try await sendSetup(to: senderChannels, server: label)
                try await BenchLink.ircJoin(channels + senderChannels, counters: receivers + senderCounters, on: loop)
            }
        } catch {
            throw BenchFailure("\(label): \(error)")
        }
        try await joinExtraRooms(channels)
        try await Task.sleep(for: .milliseconds(100))
        for channel in stalledChannels { try await channel.setOption(.autoRead, value: false).get() }
        let sending = format.echoesSender ? Array(channels.prefix(senders)) : senderChannels
        let format = self.format, size = self.size
        let result = try await measure(loop, receivers: receivers) { index in
            sending[index % sending.count].write(
                BenchLink.papoLine(Payload.make(size: size, index: index), format: format), promise: nil)
        } flush: {
            for channel in sending { channel.flush() }
        }
        if !stalledChannels.isEmpty { try await report(stalled: stalledChannels) }
        for channel in channels + senderChannels + stalledChannels { try? await channel.close() }
        // Leave the server a moment to see them go before the next run.
        try await Task.sleep(for: .milliseconds(200))
        return result
    }

    /// The `--irc-sender-line` lines for `server`, from each sender.
    private func sendSetup(to senders: [Channel], server: String) async throws {
        let lines = ircSenderLines.compactMap { entry -> String? in
            let parts = entry.split(separator: "=", maxSplits: 1)
            return parts.count == 2 && parts[0] == server ? String(parts[1]) : nil
        }
        guard !lines.isEmpty else { return }
        for (index, channel) in senders.enumerated() {
            let nick = BenchLink.name("env", index)
            for line in lines { try await channel.writeAndFlush(BenchLink.line(line.replacingOccurrences(of: "{nick}", with: nick))) }
        }
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

/// The wire format bench clients speak to Papo: its plain text, its JSON,
/// or IRC (Papo's `--irc-port`, or any other IRC server).
enum BenchFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, irc

    /// What starts (text: is inside) a delivered room message in this format.
    var marker: [UInt8] {
        switch self {
        case .text: Array("#geral <".utf8)
        case .json: Array(#"{"type":"message""#.utf8)
        case .irc: Array("PRIVMSG #geral :".utf8)
        }
    }

    /// The first lines a client named `name` sends.
    func login(_ name: String) -> String {
        switch self {
        case .text: name
        case .json: #"{"type":"hello","name":"\#(name)"}"#
        case .irc: "NICK \(name)\r\nUSER \(name) 0 * :papo bench"
        }
    }

    /// What shows that the login was accepted.
    func welcome(_ name: String) -> String {
        switch self {
        case .text: "Olá, \(name)!"
        case .json: #"{"type":"welcome""#
        case .irc: " 001 \(name) "
        }
    }

    /// Whether a sender receives its own room messages (an IRC server
    /// sends them only with echo-message, which the bench does not ask for).
    var echoesSender: Bool { self != .irc }
}
