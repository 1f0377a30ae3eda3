import Foundation
import Histogram
import NIOCore

/// A fan-out receiver for either system: counts deliveries straight from
/// the raw bytes and records each one's latency from the send time its
/// payload carries (`t=<nanoseconds>`). No framing and no parsing, so the
/// comparison measures the servers, not the generator: a delivery is a
/// `marker` (see `BenchFormat.marker` for Papo; Redis's `message\r\n$10\r\n…`
/// push header), and its stamp is the number after the next `t=`. A short
/// tail is carried over between reads so a split delivery still counts.
/// All receivers live on the generator's single event loop, so their
/// counters and histograms need no lock; read them on that loop.
final class StampCounter: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    static let redisMarker = Array("message\r\n$10\r\npapo-bench\r\n$".utf8)

    private let marker: [UInt8]
    private var carry: [UInt8] = []
    private(set) var log = DeliveryLog()
    /// Bytes received since the last reset, to compare wire sizes.
    private(set) var bytes = 0

    /// - Parameter marker: at least 9 bytes (the scan checks byte 8 first).
    init(marker: [UInt8]) {
        precondition(marker.count >= 9, "a delivery marker needs at least 9 bytes")
        self.marker = marker
    }

    func reset() {
        log = DeliveryLog()
        bytes = 0
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        self.bytes += buffer.readableBytes
        var bytes = carry
        bytes.append(contentsOf: buffer.readableBytesView)
        let marker = self.marker
        var i = 0
        var consumed = 0
        let end = bytes.count
        while i + marker.count < end {
            if bytes[i] == marker[0] && bytes[i + 1] == marker[1] && bytes[i + 8] == marker[8]
                && bytes[i..<(i + marker.count)].elementsEqual(marker) {
                var j = i + marker.count
                while j + 1 < end && !(bytes[j] == UInt8(ascii: "t") && bytes[j + 1] == UInt8(ascii: "=")) { j += 1 }
                j += 2
                guard j < end else { break }
                var sent: UInt64 = 0
                while j < end, bytes[j] >= 48, bytes[j] <= 57 {
                    sent = sent &* 10 &+ UInt64(bytes[j] - 48)
                    j += 1
                }
                guard j < end else { break }
                log.record(sentAt: sent)
                i = j
                consumed = j
            } else {
                i += 1
            }
        }
        // Keep what could still start a delivery (never more than one's head).
        let keepFrom = max(consumed, end - 300)
        carry = keepFrom < end ? Array(bytes[keepFrom..<end]) : []
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

/// A payload of about `size` bytes stamped with the current time.
enum Payload {
    static func make(size: Int, index: Int) -> String {
        let head = "t=\(DispatchTime.now().uptimeNanoseconds) n=\(index) "
        return head + String(repeating: "x", count: max(0, size - head.utf8.count))
    }
}
