import NIOCore

/// How fast one connection may send, and what happens when it does not
/// keep to it. See docs/RELIABILITY.md.
public struct FloodLimits: Sendable {
    /// Lines a second, sustained, and how many may come at once.
    public var linesPerSecond: Double
    public var burstLines: Double
    /// Bytes a second, sustained, and how many may come at once.
    public var bytesPerSecond: Double
    public var burstBytes: Double
    /// A connection still held back after this long is disconnected.
    public var disconnectAfter: TimeAmount

    public init(linesPerSecond: Double = 10, burstLines: Double = 30, bytesPerSecond: Double = 16 * 1024,
                burstBytes: Double = 64 * 1024, disconnectAfter: TimeAmount = .seconds(10)) {
        self.linesPerSecond = linesPerSecond
        self.burstLines = burstLines
        self.bytesPerSecond = bytesPerSecond
        self.burstBytes = burstBytes
        self.disconnectAfter = disconnectAfter
    }
}

/// What the gate tells the session, as user inbound events.
public enum FloodSignal {
    /// The connection went over its limits: its lines now wait.
    case slowed
    /// It stayed over them for `disconnectAfter`: close it.
    case disconnect
}

/// Flood control for one connection, between the line decoder and the
/// session: a token bucket of lines and one of bytes. A line over the
/// limits is held, not dropped, and the socket is not read again until the
/// held lines have gone through at the allowed rate, so a flooder is slowed
/// by TCP itself and holds at most one read's worth of lines here. The
/// first held line of an episode warns the client; an episode that lasts
/// `disconnectAfter` (the line bucket never refills) disconnects it. Other
/// connections are never touched: the chat sees a flooder's lines only at
/// the allowed rate.
public final class FloodGate: ChannelDuplexHandler {
    public typealias InboundIn = InboundLine
    public typealias InboundOut = InboundLine
    public typealias OutboundIn = NIOAny
    public typealias OutboundOut = NIOAny

    private let limits: FloodLimits
    private var lines: TokenBucket
    private var bytes: TokenBucket
    private var held = CircularBuffer<InboundLine>()
    private var readPending = false
    /// When the current episode of being held back began.
    private var slowedSince: NIODeadline?
    private var release: Scheduled<Void>?
    private var disconnected = false

    public init(limits: FloodLimits, now: NIODeadline = .now()) {
        self.limits = limits
        lines = TokenBucket(rate: limits.linesPerSecond, burst: limits.burstLines, now: now)
        bytes = TokenBucket(rate: limits.bytesPerSecond, burst: limits.burstBytes, now: now)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !disconnected else { return }
        let line = unwrapInboundIn(data)
        let now = NIODeadline.now()
        if slowedSince != nil, held.isEmpty, lines.isFull(now: now) { slowedSince = nil }
        if held.isEmpty && take(line, now: now) {
            context.fireChannelRead(data)
            return
        }
        held.append(line)
        if slowedSince == nil {
            slowedSince = now
            context.fireUserInboundEventTriggered(FloodSignal.slowed)
        }
        scheduleRelease(context: context, now: now)
    }

    public func read(context: ChannelHandlerContext) {
        if disconnected { return }
        if held.isEmpty {
            context.read()
        } else {
            readPending = true
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        release?.cancel()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        release?.cancel()
        held.removeAll()
        context.fireChannelInactive()
    }

    private func take(_ line: InboundLine, now: NIODeadline) -> Bool {
        let size = Double(Self.size(of: line))
        // Both or neither: check before taking from either bucket.
        guard lines.wait(for: 1, now: now) == .zero, bytes.wait(for: size, now: now) == .zero else { return false }
        _ = lines.take(1, now: now)
        _ = bytes.take(min(size, limits.burstBytes), now: now)
        return true
    }

    private func scheduleRelease(context: ChannelHandlerContext, now: NIODeadline) {
        guard release == nil, let first = held.first else { return }
        let delay = max(lines.wait(for: 1, now: now), bytes.wait(for: Double(Self.size(of: first)), now: now))
        release = context.eventLoop.scheduleTask(in: delay) { [weak self] in
            self?.releaseHeld(context: context)
        }
    }

    /// Passes on what the buckets allow now; asks for more input once
    /// nothing is held; disconnects a connection held back for too long.
    private func releaseHeld(context: ChannelHandlerContext) {
        release = nil
        guard !disconnected else { return }
        let now = NIODeadline.now()
        while let first = held.first, take(first, now: now) {
            held.removeFirst()
            context.fireChannelRead(wrapInboundOut(first))
        }
        if let since = slowedSince, now - since >= limits.disconnectAfter {
            disconnected = true
            held.removeAll()
            context.fireUserInboundEventTriggered(FloodSignal.disconnect)
            return
        }
        if held.isEmpty {
            if readPending {
                readPending = false
                context.read()
            }
        } else {
            scheduleRelease(context: context, now: now)
        }
    }

    private static func size(of line: InboundLine) -> Int {
        switch line {
        case .line(let buffer): buffer.readableBytes + 1
        case .tooLong: 1
        }
    }
}
