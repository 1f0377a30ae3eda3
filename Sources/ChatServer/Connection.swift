import ChatCore
import NIOCore

/// One client's socket as the core sees it: the endpoint that events are
/// delivered to. Writes may come from any thread; they run on the channel's loop.
final class Connection: ChatEndpoint, @unchecked Sendable {
    let channel: Channel
    let eventLoop: EventLoop
    /// Set once when the client's first line decides it; read on the loop.
    var format: WireFormat = .text

    init(channel: Channel) {
        self.channel = channel
        self.eventLoop = channel.eventLoop
    }

    /// Writes `buffer` and flushes. Call on `eventLoop`.
    func writeOnLoop(_ buffer: ByteBuffer) {
        channel.writeAndFlush(buffer, promise: nil)
    }

    /// Sends one line (a newline is added), from any thread.
    func send(_ line: String) {
        let buffer = Self.buffer(for: line)
        if eventLoop.inEventLoop {
            writeOnLoop(buffer)
        } else {
            eventLoop.execute { self.writeOnLoop(buffer) }
        }
    }

    /// Closes the socket after everything written before has been sent.
    func closeAfterPendingWrites() {
        eventLoop.execute {
            self.channel.writeAndFlush(ByteBuffer()).whenComplete { _ in
                self.channel.close(promise: nil)
            }
        }
    }

    static func buffer(for line: String) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: line.utf8.count + 1)
        buffer.writeString(line)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }
}
