import BotEngine
import ChatCore
import Foundation
import NIOCore

/// One client's socket as the core sees it: the endpoint that events are
/// delivered to. Output from any thread goes through its loop's `LoopOutput`.
public final class Connection: ChatEndpoint, @unchecked Sendable {
    public let channel: Channel
    public let eventLoop: EventLoop
    /// Set once when the client's first line decides it, before the core
    /// knows this connection; read on any thread afterwards.
    public var format: WireFormat = .text
    /// The queue every byte for this connection goes through.
    let output: LoopOutput
    /// Bytes appended during the current drain and not yet handed to the
    /// channel. Loop only; see `LoopOutput`.
    var unwritten = Connection.emptyBuffer
    /// True while the current drain has this connection in its list to flush. Loop only.
    var touched = false

    public init(channel: Channel, output: LoopOutput) {
        self.channel = channel
        self.eventLoop = channel.eventLoop
        self.output = output
    }

    /// What the session does when the core takes its lines again; set on
    /// the loop by the session, run on the loop.
    var onResume: (() -> Void)?

    public func resumeInput() {
        eventLoop.execute { self.onResume?() }
    }

    /// Sends one line (a newline is added), from any thread, in order with
    /// everything else delivered to this connection.
    func send(_ line: String) {
        output.enqueue(.line(self, Self.buffer(for: line)))
    }

    /// Sends bytes as they are (another front end's wire, such as IRC's
    /// CRLF lines), in order with everything else, from any thread.
    public func send(bytes: ByteBuffer) {
        output.enqueue(.line(self, bytes))
    }

    /// Closes the socket once everything delivered before has been sent, or
    /// after `grace` if the client does not read it.
    public func closeAfterPendingWrites(grace: TimeAmount = .seconds(5)) {
        output.enqueue(.close(self, grace: grace))
    }

    /// The closing half of `closeAfterPendingWrites`, once the output is written. Loop only.
    func closeWhenWritten(grace: TimeAmount) {
        let channel = self.channel
        let deadline = eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
        channel.writeAndFlush(ByteBuffer()).whenComplete { _ in
            deadline.cancel()
            channel.close(promise: nil)
        }
    }

    /// Sends the welcome in this connection's format; a front end calls it
    /// from `ChatEngine.connect`'s `welcomed`, so it comes before anything else.
    public func sendWelcome(_ welcome: Welcome) {
        switch format {
        case .text: send(TextRenderer.welcome(welcome))
        case .json: send(JSONRenderer.welcome(welcome, time: TimeFormat.iso8601(.now)))
        }
    }

    static func buffer(for line: String) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: line.utf8.count + 1)
        buffer.writeString(line)
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }

    /// An empty buffer without storage of its own; the first append allocates.
    static let emptyBuffer = ByteBufferAllocator().buffer(capacity: 0)
}
