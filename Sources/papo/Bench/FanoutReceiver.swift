import ChatServer
import Foundation
import Histogram
import NIOCore
import NIOPosix

/// A Papo fan-out receiver: counts delivered chat messages and records each
/// one's latency from the send time the payload carries (`t=<nanoseconds>`).
/// All receivers live on the generator's single event loop, so their
/// counters and histograms need no lock; read them on that loop.
final class FanoutReceiver: ChannelInboundHandler, FanoutCounting, @unchecked Sendable {
    typealias InboundIn = InboundLine

    private(set) var log = DeliveryLog()

    func reset() { log = DeliveryLog() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .line(let buffer) = unwrapInboundIn(data) else { return }
        let view = buffer.readableBytesView
        guard view.starts(with: #"{"type":"message""#.utf8) else { return }
        log.record(sentAt: Self.stamp(in: view))
    }

    /// The number after the first `t=`, by a plain byte scan (the generator
    /// must not become the bottleneck).
    private static func stamp(in view: ByteBufferView) -> UInt64 {
        var sent: UInt64 = 0
        var sawT = false, inNumber = false
        for byte in view {
            if inNumber {
                guard byte >= 48 && byte <= 57 else { break }
                sent = sent &* 10 &+ UInt64(byte - 48)
            } else if sawT && byte == UInt8(ascii: "=") {
                inNumber = true
            } else {
                sawT = byte == UInt8(ascii: "t")
            }
        }
        return sent
    }
}

/// Deliveries seen by one receiver and their latencies, in microseconds.
struct DeliveryLog {
    private(set) var delivered = 0
    private(set) var latency = DeliveryLog.histogram()

    /// An empty latency histogram (1 µs to 60 s, 3 significant digits).
    static func histogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    }

    /// Counts one delivery sent at `sent` (DispatchTime nanoseconds).
    mutating func record(sentAt sent: UInt64) {
        delivered += 1
        let now = DispatchTime.now().uptimeNanoseconds
        if now > sent { _ = latency.record((now - sent) / 1000) }
    }
}

/// What the fan-out bench reads from a receiver, whatever the system.
protocol FanoutCounting: AnyObject {
    var log: DeliveryLog { get }
    func reset()
}

/// A payload of about `size` bytes stamped with the current time.
enum Payload {
    static func make(size: Int, index: Int) -> String {
        let head = "t=\(DispatchTime.now().uptimeNanoseconds) n=\(index) "
        return head + String(repeating: "x", count: max(0, size - head.utf8.count))
    }
}
