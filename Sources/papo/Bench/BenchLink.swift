import ArgumentParser
import Foundation
import Histogram
import NIOCore
import NIOPosix

/// Connections and message lines the bench generator uses for Papo and
/// Redis alike. Every connection lives on the generator's one event loop.
enum BenchLink {
    /// Waits until every Papo client in `counters` has been welcomed (5 s at
    /// most, and a second more per 50 clients: every JOIN of an IRC client
    /// goes to all the others); a client that was not cannot count anything.
    static func awaitWelcome(_ counters: [StampCounter], on loop: EventLoop) async throws {
        let deadline = ContinuousClock.now + .seconds(5 + counters.count / 50)
        while true {
            let waiting = try await loop.submit { counters.filter { !$0.welcomed }.count }.get()
            if waiting == 0 { return }
            guard ContinuousClock.now < deadline else {
                throw BenchFailure("\(waiting) of \(counters.count) bench clients were not welcomed by the server")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Has every IRC client join `#geral` and waits for the end of its NAMES (366).
    static func ircJoin(_ channels: [Channel], counters: [StampCounter], on loop: EventLoop) async throws {
        try await loop.submit {
            counters.forEach { $0.awaitAgain(Array(" 366 ".utf8)) }
            for channel in channels { channel.writeAndFlush(line("JOIN #geral"), promise: nil) }
        }.get()
        try await awaitWelcome(counters, on: loop)
    }

    /// A connection whose raw bytes go to `handler`.
    static func open(_ loop: EventLoop, port: Int, handler: StampCounter,
                     receiveBuffer: Int32? = nil) async throws -> Channel {
        var bootstrap = ClientBootstrap(group: loop).channelOption(.socketOption(.tcp_nodelay), value: 1)
        if let receiveBuffer {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: Int(receiveBuffer))
        }
        return try await bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }

    /// A Papo client named `name`, counting deliveries that start with
    /// `marker` (by default, room messages in `format`).
    /// With `.irc`, any IRC server will do: the client registers and joins
    /// `#geral`, and is "welcomed" at the end of that channel's NAMES.
    static func papo(_ loop: EventLoop, port: Int, name: String, format: BenchFormat, marker: [UInt8]? = nil,
                     receiveBuffer: Int32? = nil) async throws -> (Channel, StampCounter) {
        let counter = StampCounter(marker: marker ?? format.marker, welcome: Array(format.welcome(name).utf8))
        let channel = try await open(loop, port: port, handler: counter, receiveBuffer: receiveBuffer)
        try await channel.writeAndFlush(line(format.login(name)))
        return (channel, counter)
    }

    /// A Redis connection subscribed to the bench channel.
    static func redisSubscriber(_ loop: EventLoop, port: Int) async throws -> (Channel, StampCounter) {
        let counter = StampCounter(marker: StampCounter.redisMarker)
        let channel = try await open(loop, port: port, handler: counter)
        try await channel.writeAndFlush(line("SUBSCRIBE papo-bench"))
        return (channel, counter)
    }

    /// A Redis connection to publish on (its replies are ignored).
    static func redisPublisher(_ loop: EventLoop, port: Int) async throws -> Channel {
        try await open(loop, port: port, handler: StampCounter(marker: StampCounter.redisMarker))
    }

    /// One chat line (or command) from a Papo client.
    static func papoLine(_ text: String, format: BenchFormat) -> ByteBuffer {
        switch format {
        case .text: line(text)
        case .json: line(#"{"type":"line","text":"\#(text)"}"#)
        case .irc: line("PRIVMSG #geral :" + text)
        }
    }

    static func redisPublish(_ payload: String) -> ByteBuffer {
        ByteBuffer(string: "*3\r\n$7\r\nPUBLISH\r\n$10\r\npapo-bench\r\n$\(payload.utf8.count)\r\n\(payload)\r\n")
    }

    static func line(_ text: String) -> ByteBuffer {
        ByteBuffer(string: text + "\r\n")
    }

    /// Unique within this bench process (index) and across processes
    /// (a random tag), so a name never clashes with one still connected.
    static func name(_ prefix: String, _ index: Int) -> String {
        "\(prefix)\(index)-\(runTag)"
    }

    private static let runTag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
}

/// A bench run that cannot give a meaningful number.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One scenario's outcome on one system, printed as a table row.
struct BenchResult {
    var rate: Double
    var latency: Histogram<UInt64>
    var cpu: Double
    /// Bytes received per delivery (wire size, framing included).
    var bytesPerDelivery: Double

    static let header =
        "system          deliveries/s      p50 µs    p99 µs  p99.9 µs    max µs   generator CPU s   bytes/delivery"

    func line(_ name: String) -> String {
        name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(
            format: " %12.0f  %9d %9d %9d %9d   %8.2f          %6.0f", rate, latency.valueAtPercentile(50),
            latency.valueAtPercentile(99), latency.valueAtPercentile(99.9), latency.max, cpu, bytesPerDelivery)
    }

    /// The receivers' counts, merged histogram and bytes per delivery; call
    /// on the generator's loop.
    static func collect(_ receivers: [StampCounter])
        -> (delivered: Int, latency: Histogram<UInt64>, bytesPerDelivery: Double) {
        var merged = DeliveryLog.histogram()
        for receiver in receivers { merged.add(receiver.log.latency) }
        let delivered = receivers.map(\.log.delivered).reduce(0, +)
        let bytes = receivers.map(\.bytes).reduce(0, +)
        return (delivered, merged, Double(bytes) / Double(max(1, delivered)))
    }
}

/// What the bench reads about the server process, from /proc (Linux).
enum ServerProcess {
    /// CPU time (user + system) so far.
    static func cpuSeconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident memory, in bytes.
    static func residentBytes(pid: Int32) -> Int? {
        memory(pid: pid)?.resident
    }

    /// Resident memory now and its peak so far (VmRSS, VmHWM), in bytes.
    static func memory(pid: Int32) -> (resident: Int, peak: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
                  let kib = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
            return kib * 1024
        }
        guard let resident = field("VmRSS:"), let peak = field("VmHWM:") else { return nil }
        return (resident, peak)
    }
}

extension Histogram where Count == UInt64 {
    /// `p50 p99 p99.9 max mean`, right-aligned for the bench tables.
    var summary: String {
        String(format: "%8d %8d %8d %8d %8.1f", valueAtPercentile(50), valueAtPercentile(99),
               valueAtPercentile(99.9), max, mean)
    }
}

/// `--server-pid`: every scenario reports the server's CPU time over its run
/// when it knows the server's pid.
struct ServerWatch: ParsableArguments {
    @Option(help: "Pid of the Papo server, to report its CPU time.") var serverPid: Int32?

    /// The server's CPU seconds so far, if known.
    func cpu() -> Double? { serverPid.flatMap(ServerProcess.cpuSeconds) }

    /// Prints the server CPU used since `start` (from `cpu()`).
    func report(since start: Double?, label: String = "papo server CPU during the run") {
        guard let start, let now = cpu() else { return }
        print(String(format: "%@: %.2f s", label, now - start))
    }
}

extension Array where Element == Double {
    /// The middle value (the upper one of an even count); the array must not be empty.
    var median: Double { sorted()[count / 2] }
}
