import ChatCore
import NIOCore

/// One client's socket as the core sees it: the endpoint that events are
/// delivered to. Writes may come from any thread; they run on the channel's loop.
final class Connection: ChatEndpoint, @unchecked Sendable {
    let channel: Channel
    let eventLoop: EventLoop
    /// Set once when the client's first line decides it; read on the loop.
    var format: WireFormat = .text
    /// Flushes this loop's connections once per batch; nil flushes each write.
    private let flusher: LoopFlusher?
    /// True while this connection waits in its flusher's list. Loop only.
    var awaitingFlush = false

    init(channel: Channel, flusher: LoopFlusher?) {
        self.channel = channel
        self.eventLoop = channel.eventLoop
        self.flusher = flusher
    }

    /// Writes `buffer`; the flush follows at the end of the loop's batch.
    /// Call on `eventLoop`.
    func writeOnLoop(_ buffer: ByteBuffer) {
        guard let flusher else {
            channel.writeAndFlush(buffer, promise: nil)
            return
        }
        channel.write(buffer, promise: nil)
        flusher.needsFlush(self)
    }

    /// Sends one line (a newline is added), from any thread. Queued like the
    /// outbox's writes, so the session's own answers keep their order.
    func send(_ line: String) {
        let buffer = Self.buffer(for: line)
        eventLoop.execute { self.writeOnLoop(buffer) }
    }

    /// Closes the socket once everything written before has been sent, or
    /// after `grace` if the client does not read it.
    func closeAfterPendingWrites(grace: TimeAmount = .seconds(5)) {
        let channel = self.channel
        eventLoop.execute {
            let deadline = channel.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
            channel.writeAndFlush(ByteBuffer()).whenComplete { _ in
                deadline.cancel()
                channel.close(promise: nil)
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
