import ArgumentParser
import ChatServer
import Foundation
import Histogram
import NIOCore
import NIOPosix

/// `papo bench flood`: hostile load against a server with flood control on.
/// F flooders write lines as fast as their sockets take them while, in the
/// same room, ordinary users chat at a human rate; reports what the
/// flooders offered, how many the server cut off, and the ordinary users'
/// delivery latency meanwhile.
struct FloodBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flood", abstract: "Others' latency while many clients flood a server with flood control on.")

    @Option(help: "Port of a running Papo with flood control on.") var port = 4242
    @Option(help: "Flooding connections.") var flooders = 20
    @Option(help: "Ordinary members (each measures its deliveries).") var members = 20
    @Option(help: "Ordinary senders among them.") var senders = 5
    @Option(help: "Messages per second per ordinary sender (under the flood limit).") var rate = 5
    @Option(help: "Seconds of flooding.") var seconds = 15
    @OptionGroup var server: ServerWatch

    func run() async throws {
        _ = FileLimit.raise()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        var receivers: [StampCounter] = [], channels: [Channel] = []
        for i in 0..<members {
            // Counts only the calm members' lines, not the flood they also receive.
            let (channel, counter) = try await BenchLink.papo(loop, port: port, name: BenchLink.name("calmo", i),
                                                              format: .text, marker: Array("#geral <calmo".utf8))
            receivers.append(counter)
            channels.append(channel)
        }
        var floodChannels: [Channel] = [], floodCounters: [StampCounter] = []
        for i in 0..<flooders {
            let (channel, counter) = try await BenchLink.papo(loop, port: port, name: BenchLink.name("enxurrada", i),
                                                              format: .text)
            floodChannels.append(channel)
            floodCounters.append(counter)
        }
        try await BenchLink.awaitWelcome(receivers + floodCounters, on: loop)
        try await loop.submit { receivers.forEach { $0.reset() } }.get()
        let cpu0 = ProcessCPU.now(), serverCPU = server.cpu()
        let offered = ByteCount()
        // A 64 KiB block of 16-byte lines, written whenever a flooder's socket takes more.
        let block = ByteBuffer(string: String(repeating: "enxurrada 123456\n", count: 4096))
        let period = Int64(1_000_000_000 / max(1, rate))
        let sending = Array(channels.prefix(senders)), sent = LatencyBench.SentCounter()
        let tasks = try await loop.submit { () -> [RepeatedTask] in
            let floods = floodChannels.map { channel in
                loop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(5)) { _ in
                    guard channel.isActive, channel.isWritable else { return }
                    offered.add(block.readableBytes)
                    channel.writeAndFlush(block, promise: nil)
                }
            }
            let calm = sending.enumerated().map { index, channel in
                loop.scheduleRepeatedTask(initialDelay: .nanoseconds(period * Int64(index) / Int64(sending.count)),
                                          delay: .nanoseconds(period)) { _ in
                    channel.writeAndFlush(BenchLink.papoLine(Payload.make(size: 64, index: sent.next()), format: .text),
                                          promise: nil)
                }
            }
            return floods + calm
        }.get()
        try await Task.sleep(for: .seconds(seconds))
        try await loop.submit { tasks.forEach { $0.cancel() } }.get()
        try await Task.sleep(for: .seconds(1))
        let (delivered, latency, _) = try await loop.submit { BenchResult.collect(receivers) }.get()
        let (total, cut) = try await loop.submit { (sent.count, floodChannels.filter { !$0.isActive }.count) }.get()
        let megabytes = Double(offered.value) / 1_048_576
        print("papo bench flood: \(flooders) flooders for \(seconds) s beside \(members) members "
              + "(\(senders) sending \(rate) msg/s each)")
        print(String(format: "flood offered: %.0f MiB in %d-byte lines (%.1f MiB/s, %.0f lines/s)", megabytes, 17,
                     megabytes / Double(seconds), Double(offered.value) / 17 / Double(seconds)))
        print("flooders disconnected by the server: \(cut) of \(flooders)")
        print("ordinary deliveries: \(delivered) of \(total * receivers.count) expected")
        print("ordinary latency (µs):   p50      p99    p99.9      max     mean")
        print("                    " + latency.summary)
        print(String(format: "generator CPU: %.2f s", ProcessCPU.now() - cpu0))
        server.report(since: serverCPU)
        for channel in channels + floodChannels { try? await channel.close() }
        try await group.shutdownGracefully()
    }

    /// Bytes handed to the flooders' sockets; used on the generator's loop only.
    final class ByteCount: @unchecked Sendable {
        private(set) var value = 0
        func add(_ bytes: Int) { value += bytes }
    }
}
