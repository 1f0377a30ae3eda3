import ArgumentParser
import ChatServer
import Foundation
import Histogram
import NIOCore
import NIOPosix

/// `papo bench private`: many pairs exchanging private messages, as fast as
/// possible; counts what reaches the recipients (each sender also gets its
/// echo, which is not counted).
struct PrivateBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "private", abstract: "Private-message deliveries per second between many pairs.")

    @Option(help: "Port of a running Papo.") var port = 4242
    @Option(help: "Pairs of users; in each, one sends to the other.") var pairs = 50
    @Option(help: "Messages in all.") var messages = 50000
    @Option(help: "Payload bytes.") var size = 64
    @Option(help: "Papo wire format of every bench client.") var format: BenchFormat = .text
    @OptionGroup var server: ServerWatch

    func validate() throws {
        if format == .irc { throw ValidationError("private speaks text or json; IRC is measured by `papo bench fanout --format irc`") }
    }

    func run() async throws {
        _ = FileLimit.raise()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let marker = format == .json ? Array(#"{"type":"private""#.utf8) : Array("[privado] pa".utf8)
        var senders: [(channel: Channel, to: String)] = []
        var receivers: [StampCounter] = []
        var everyone: [StampCounter] = []
        var channels: [Channel] = []
        for i in 0..<pairs {
            let to = BenchLink.name("pb", i)
            let (receiver, counter) = try await BenchLink.papo(loop, port: port, name: to, format: format,
                                                               marker: marker)
            let (sender, echoes) = try await BenchLink.papo(loop, port: port, name: BenchLink.name("pa", i),
                                                            format: format, marker: marker)
            senders.append((sender, to))
            receivers.append(counter)
            everyone += [counter, echoes]
            channels += [receiver, sender]
        }
        try await BenchLink.awaitWelcome(everyone, on: loop)
        print("papo bench private: \(pairs) pairs, \(messages) messages of \(size) bytes, clients in \(format.rawValue)")
        print(BenchResult.header)
        let cpu0 = ProcessCPU.now(), serverCPU = server.cpu()
        let start = ContinuousClock.now
        let burst = 1000
        var sent = 0
        let format = self.format, size = self.size, pairs = self.pairs
        func delivered() async throws -> Int { try await loop.submit { receivers.map(\.log.delivered).reduce(0, +) }.get() }
        while sent < messages, ContinuousClock.now - start < .seconds(60) {
            let first = sent, count = min(burst, messages - sent)
            try await loop.submit {
                for index in first..<first + count {
                    let pair = senders[index % pairs]
                    pair.channel.write(BenchLink.papoLine("/privado \(pair.to) " + Payload.make(size: size, index: index),
                                                          format: format), promise: nil)
                }
                for pair in senders { pair.channel.flush() }
            }.get()
            sent += count
            while try await sent - delivered() > burst * 10, ContinuousClock.now - start < .seconds(60) {
                try await Task.sleep(for: .microseconds(200))
            }
        }
        while try await delivered() < messages, ContinuousClock.now - start < .seconds(60) {
            try await Task.sleep(for: .milliseconds(1))
        }
        let seconds = (ContinuousClock.now - start).seconds
        let (total, latency, wireSize) = try await loop.submit { BenchResult.collect(receivers) }.get()
        print(BenchResult(rate: Double(total) / seconds, latency: latency, cpu: ProcessCPU.now() - cpu0,
                          bytesPerDelivery: wireSize).line("papo"))
        print("delivered \(total) of \(messages)")
        server.report(since: serverCPU)
        for channel in channels { try? await channel.close() }
        try await group.shutdownGracefully()
    }
}
