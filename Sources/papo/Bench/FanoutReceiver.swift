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

    /// Whether the welcome line (login accepted) has arrived, when one is expected.
    private(set) var welcomed: Bool
    private var welcome: [UInt8]
    private var welcomeTail: [UInt8] = []
    /// True once the server closed this connection.
    private(set) var closed = false

    /// - Parameters:
    ///   - marker: starts with a byte that is rare in the traffic (the scan
    ///     jumps between its occurrences with `memchr`).
    ///   - welcome: bytes that show the login was accepted (Papo only).
    init(marker: [UInt8], welcome: [UInt8] = []) {
        precondition(!marker.isEmpty)
        self.marker = marker
        self.welcome = welcome
        self.welcomed = welcome.isEmpty
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        context.fireChannelInactive()
    }

    /// Waits for another line (`bytes` inside it), as for the welcome.
    func awaitAgain(_ bytes: [UInt8]) {
        welcome = bytes
        welcomed = false
        welcomeTail = []
    }

    func reset() {
        log = DeliveryLog()
        bytes = 0
    }

    /// Scans the read in place; only a short tail that may hold a split
    /// delivery is copied, into `carry`, for the next read.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        bytes += buffer.readableBytes
        if !welcomed {
            // Searched with the end of the previous read, in case it was split.
            var window = welcomeTail
            window.append(contentsOf: buffer.readableBytesView)
            welcomed = window.firstRange(of: welcome) != nil
            welcomeTail = welcomed ? [] : Array(window.suffix(welcome.count - 1))
        }
        if carry.isEmpty {
            buffer.withUnsafeReadableBytes { carry = scan($0) }
        } else {
            var joined = carry
            joined.append(contentsOf: buffer.readableBytesView)
            carry = joined.withUnsafeBytes { scan($0) }
        }
    }

    /// Records every whole delivery in `raw`; returns the tail to carry over.
    private func scan(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
        guard let base = raw.baseAddress else { return [] }
        let end = raw.count, width = marker.count
        var i = 0, consumed = 0
        marker.withUnsafeBytes { marker in
            while i + width < end {
                guard let hit = memchr(base + i, Int32(marker[0]), end - i - width) else { break }
                i = base.distance(to: UnsafeRawPointer(hit))
                guard memcmp(base + i, marker.baseAddress!, width) == 0 else {
                    i += 1
                    continue
                }
                var j = i + width
                while j + 1 < end && !(raw[j] == UInt8(ascii: "t") && raw[j + 1] == UInt8(ascii: "=")) { j += 1 }
                j += 2
                guard j < end else { break }
                var sent: UInt64 = 0
                while j < end, raw[j] >= 48, raw[j] <= 57 {
                    sent = sent &* 10 &+ UInt64(raw[j] - 48)
                    j += 1
                }
                guard j < end else { break }
                log.record(sentAt: sent)
                i = j
                consumed = j
            }
        }
        // Keep what could still start a delivery (never more than one's head).
        let keepFrom = max(consumed, end - 300)
        return keepFrom < end ? Array(raw[keepFrom..<end]) : []
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
