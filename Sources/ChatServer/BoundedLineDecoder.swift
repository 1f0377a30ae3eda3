import NIOCore

/// One framed input line, or the news that a line was too long.
public enum InboundLine: Equatable {
    case line(ByteBuffer)
    case tooLong
}

/// Splits bytes into lines ending in `\n` (a `\r` before it is dropped).
/// Written here rather than taken from swift-nio-extras because
/// `LineBasedFrameDecoder` can only fail the channel on an over-long line;
/// Papo tells the user, discards that line up to its end, and keeps the
/// connection. Memory stays bounded by `maxLineBytes`.
public struct BoundedLineDecoder: ByteToMessageDecoder {
    public typealias InboundOut = InboundLine

    public let maxLineBytes: Int
    private var discarding = false
    private var scanned = 0

    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        let searchStart = view.index(view.startIndex, offsetBy: scanned)
        guard let newline = view[searchStart...].firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = view.count
            if !discarding && buffer.readableBytes > maxLineBytes {
                discarding = true
                context.fireChannelRead(wrapInboundOut(.tooLong))
            }
            if discarding {
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                scanned = 0
            }
            return .needMoreData
        }
        let length = newline - view.startIndex
        scanned = 0
        if discarding {
            buffer.moveReaderIndex(forwardBy: length + 1)
            discarding = false
            return .continue
        }
        if length > maxLineBytes {
            buffer.moveReaderIndex(forwardBy: length + 1)
            context.fireChannelRead(wrapInboundOut(.tooLong))
            return .continue
        }
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytes > 0, line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        context.fireChannelRead(wrapInboundOut(.line(line)))
        return .continue
    }

    /// A line cut off by the end of the connection was never sent: drop it.
    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer,
                                    seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return .needMoreData
    }
}
