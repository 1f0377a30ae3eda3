import NIOCore

/// What the timers tell the session, as user inbound events.
public enum TimeoutSignal {
    /// A line was begun and not finished within the line timeout.
    case partialLine
}

/// Closes the door on slowloris: a connection that starts a line and does
/// not finish it within `timeout` is reported to the session, which closes
/// it. Sits before the line decoder and looks only for newlines, so it
/// costs one `memchr`-like scan per read. Lines that arrive whole (the
/// usual case) never start a timer.
public final class PartialLineTimer: ChannelInboundHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    /// Counts partial lines begun; a timer only fires for the one it was set for.
    private var partial = 0
    private var pending = false
    private var timer: Scheduled<Void>?

    public init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let view = buffer.readableBytesView
        if let last = view.last {
            let endsLine = last == UInt8(ascii: "\n")
            if view.contains(UInt8(ascii: "\n")) {
                // Any earlier partial line is finished; a new one may have begun.
                pending = false
                timer?.cancel()
                if !endsLine { begin(context) }
            } else if !pending {
                begin(context)
            }
        }
        context.fireChannelRead(data)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }

    private func begin(_ context: ChannelHandlerContext) {
        pending = true
        partial += 1
        let mine = partial
        timer = context.eventLoop.scheduleTask(in: timeout) { [weak self] in
            guard let self, self.pending, self.partial == mine else { return }
            context.fireUserInboundEventTriggered(TimeoutSignal.partialLine)
        }
    }
}
