import Foundation
import NIOCore

/// Counts Redis pub/sub pushes straight from the raw bytes, without framing
/// seven RESP lines per message: the comparison must measure Redis, not our
/// parser. Looks for `message\r\n$10\r\npapo-bench\r\n$<n>\r\nt=<stamp>`;
/// a short tail is carried over between reads so a split push still counts.
final class RedisCounter: ChannelInboundHandler, FanoutCounting, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private static let marker = Array("message\r\n$10\r\npapo-bench\r\n$".utf8)
    private var carry: [UInt8] = []
    private(set) var log = DeliveryLog()

    func reset() { log = DeliveryLog() }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var bytes = carry
        bytes.append(contentsOf: buffer.readableBytesView)
        let marker = Self.marker
        var i = 0
        var consumed = 0
        let end = bytes.count
        while i + marker.count < end {
            if bytes[i] == marker[0] && bytes[i + 1] == marker[1] && bytes[i + 8] == marker[8]
                && bytes[i..<(i + marker.count)].elementsEqual(marker) {
                // Skip the length line, then read the stamp after "t=".
                var j = i + marker.count
                while j < end && bytes[j] != UInt8(ascii: "\n") { j += 1 }
                j += 3 // past "\n" and "t="
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
        // Keep what could still start a push (never more than one push's head).
        let keepFrom = max(consumed, end - 200)
        carry = keepFrom < end ? Array(bytes[keepFrom..<end]) : []
    }
}
