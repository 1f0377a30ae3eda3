import ArgumentParser
import BotEngine
import ChatCore
import ChatServer
import ChatStore
import Foundation
import Histogram
import Logging
import LuaBots
import NIOCore
import NIOPosix

/// `papo bench lua`: the costs of Lua bots, measured over loopback TCP on an
/// embedded server (so the bots folder can be set up per scenario).
struct LuaBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lua",
        abstract: "Measure Lua command round trips, message-hook cost on fan-out and /reload of many scripts.")

    @Option(help: "Round trips per command.") var roundTrips = 3000
    @Option(help: "Room members for the fan-out runs.") var members = 100
    @Option(help: "Messages sent in each fan-out run.") var messages = 10000
    @Option(help: "Fan-out runs per configuration; the median is reported.") var runs = 3
    @Option(help: "Scripts written for the /reload run.") var scripts = 100

    func run() async throws {
        let bots = FileManager.default.temporaryDirectory.appendingPathComponent("papo-bench-bots-\(UUID().uuidString)")
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("papo-bench-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bots, withIntermediateDirectories: true)
        try write(bots, "eco.lua", "papo.command{name = 'eco', run = function() return 'pong' end}")
        let server = try await EmbeddedServer.start(bots: bots, data: data)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let cpuStart = ProcessCPU.now()
        print("papo bench lua — embedded server on 127.0.0.1:\(server.port); generator: 1 NIO thread")
        print("parameters: round trips \(roundTrips), members \(members), messages \(messages), scripts \(scripts)\n")

        let admin = try await BenchClient.connect(group: group, port: server.port, name: "chefe")
        try await admin.request("/admin bench")

        // 1. Command round trips.
        let ping = try await roundTrip(admin, "/ping")
        let eco = try await roundTrip(admin, "/eco")
        print("commands (µs)     p50     p99   p99.9     max    mean")
        for (name, h) in [("/ping (Swift)", ping), ("/eco (Lua)   ", eco)] {
            print(name + String(format: " %7d %7d %7d %7d %7.1f", h.valueAtPercentile(50),
                                h.valueAtPercentile(99), h.valueAtPercentile(99.9), h.max, h.mean))
        }
        print(String(format: "Lua/Swift mean round trip: %.2f× (target ≤ 2×)\n", eco.mean / ping.mean))

        // 2. Fan-out with and without a pass-through message hook.
        var room: [BenchClient] = [admin]
        for i in 1..<members { room.append(try await BenchClient.connect(group: group, port: server.port, name: "m\(i)")) }
        _ = try await fanOut(room)  // warm-up
        let plain = try await median(of: runs) { try await fanOut(room) }
        try write(bots, "hook.lua", "papo.on_message(function(msg) return nil end)")
        try await admin.request("/reload")
        let hooked = try await median(of: runs) { try await fanOut(room) }
        print("fan-out (\(members) members, 1 sender, \(messages) msgs, median of \(runs))   deliveries/s")
        print(String(format: "  no hook                              %12.0f", plain))
        print(String(format: "  one pass-through Lua message hook    %12.0f", hooked))
        print(String(format: "hook cost: %.1f%% of throughput (target ≤ 10%%)\n", (1 - hooked / plain) * 100))
        try FileManager.default.removeItem(at: bots.appendingPathComponent("hook.lua"))

        // 3. /reload of many scripts, with messages in flight.
        for i in 1...scripts {
            try write(bots, "s\(i).lua", """
                local n = 0
                papo.command{name = 'c\(i)', help = 'bench', run = function(ctx) n = n + 1; return 'c\(i) ' .. n end}
                papo.on('join', function(ev) end)
                """)
        }
        var reloads = Histogram<UInt64>(highestTrackableValue: 100_000_000, numberOfSignificantValueDigits: .three)
        for _ in 0..<5 {
            let started = ContinuousClock.now
            try await admin.request("/reload")
            _ = reloads.record(UInt64((ContinuousClock.now - started).microseconds))
        }
        let before = room[1].messagesReceived
        let inFlight = 2000
        let sender = room[2]
        sender.fire((0..<inFlight / 2).map { "voo \($0)" })
        try await admin.request("/reload")
        sender.fire((inFlight / 2..<inFlight).map { "voo \($0)" })
        let arrived = try await waitFor(room[1], count: before + inFlight)
        print(String(format: "/reload of %d scripts, idle server, 5 runs: median %.1f ms, max %.1f ms (target < 100 ms)",
                     scripts + 1, Double(reloads.valueAtPercentile(50)) / 1000, Double(reloads.max) / 1000))
        print("messages in flight during /reload: sent \(inFlight), delivered \(arrived - before) (target: all)\n")

        let cpu = ProcessCPU.now() - cpuStart
        print(String(format: "process CPU (server + generator, same process): %.2f s", cpu))
        for client in room { await client.close() }
        try await group.shutdownGracefully()
        await server.stop()
    }

    private func write(_ folder: URL, _ file: String, _ source: String) throws {
        try source.write(to: folder.appendingPathComponent(file), atomically: true, encoding: .utf8)
    }

    private func roundTrip(_ client: BenchClient, _ line: String) async throws -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 10_000_000, numberOfSignificantValueDigits: .three)
        for _ in 0..<200 { try await client.request(line) }
        for _ in 0..<roundTrips {
            let start = ContinuousClock.now
            try await client.request(line)
            _ = histogram.record(UInt64((ContinuousClock.now - start).microseconds))
        }
        return histogram
    }

    /// Deliveries per second: one member sends `messages` lines as fast as
    /// the socket takes them; timed until every member has them all.
    private func fanOut(_ room: [BenchClient]) async throws -> Double {
        let counts = room.map(\.messagesReceived)
        let start = ContinuousClock.now
        let batch = 500
        var sent = 0
        while sent < messages {
            let n = min(batch, messages - sent)
            room[1].fire((sent..<sent + n).map { "mensagem de teste número \($0) com uns 64 bytes de texto" })
            sent += n
            try await room[1].request("/ping") // keeps the sender's queue bounded
        }
        for (client, count) in zip(room, counts) { _ = try await waitFor(client, count: count + messages) }
        let seconds = (ContinuousClock.now - start).seconds
        return Double(messages * room.count) / seconds
    }

    private func median(of runs: Int, _ run: () async throws -> Double) async throws -> Double {
        var results: [Double] = []
        for _ in 0..<max(1, runs) { results.append(try await run()) }
        return results.median
    }

    private func waitFor(_ client: BenchClient, count: Int) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(30)
        while client.messagesReceived < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(2))
        }
        return client.messagesReceived
    }
}

/// A Papo server inside the bench process, with its own data and bots folders.
struct EmbeddedServer {
    let server: PapoServer
    let storage: SQLiteStorage
    let port: Int

    static func start(bots: URL, data: URL) async throws -> EmbeddedServer {
        var logger = Logger(label: "papo-bench")
        logger.logLevel = .error
        let storage = try SQLiteStorage(directory: data)
        let chat = try Chat(storage: storage, outbox: PapoServer.makeOutbox(storage: storage))
        let host = try BotHost(chat: chat, bots: bots, adminPassword: "bench", logger: logger)
        host.loadBots()
        // Flood control off: the fan-out runs send as fast as they can.
        let config = ServerConfig(host: "127.0.0.1", port: 0, maxOutboundBytes: 8 << 20, flood: nil)
        let server = PapoServer(engine: host.engine, config: config, logger: logger)
        let port = try await server.start()
        return EmbeddedServer(server: server, storage: storage, port: port)
    }

    func stop() async {
        await server.shutdown()
        storage.flush()
    }
}

/// CPU time of this process (user + system), in seconds.
enum ProcessCPU {
    static func now() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var microseconds: Int64 { components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000 }
    var milliseconds: Int64 { microseconds / 1000 }
}
