import NIOConcurrencyHelpers
import NIOCore

/// Everything bound for the connections of one event loop.
///
/// Deliveries from any thread queue here under a short lock, and the first
/// one schedules a single drain task on the loop. The drain appends each
/// item's shared bytes to each recipient's outgoing buffer (a copy of about
/// a hundred bytes, no pipeline traversal) or, for a run of one room's
/// messages, hands every member one joined buffer they all share
/// (LoopOutput+Runs.swift); then it writes and flushes every connection it
/// touched once. Under load, one message costs one hop per loop, and many
/// messages to one client leave in one syscall, as Redis does with its
/// client reply buffers.
public final class LoopOutput: @unchecked Sendable {
    /// One queued piece of output.
    enum Item {
        /// The same item to many connections; each takes the bytes for its format.
        case shared(SharedDelivery)
        /// Bytes already rendered for one connection.
        case line(Connection, ByteBuffer)
        /// The same rendered bytes for many connections (another front end's, see `SharedRenderingEndpoint`).
        case same(SharedBuffer)
        /// Close once everything queued before has been written, or after `grace`.
        case close(Connection, grace: TimeAmount)
    }

    let loop: EventLoop
    private let lock = NIOLock()
    /// Guarded by `lock`.
    private var queue: [Item] = []
    private var drainScheduled = false
    /// Loop only: an empty array kept for its capacity, and the connections
    /// with unwritten bytes in the current drain.
    private var spare: [Item] = []
    private var touched: [Connection] = []

    init(loop: EventLoop) {
        self.loop = loop
    }

    /// Queues `item`; callable from any thread, never writes in place (the
    /// caller may hold the chat's lock, and a write can fire handlers that
    /// need it). Items for one connection are written in the order queued.
    /// (The durable outbox calls this right after each commit for the whole
    /// batch, so a busy room's messages arrive here together anyway.)
    func enqueue(_ item: Item) {
        let schedule: Bool = lock.withLock {
            queue.append(item)
            if drainScheduled { return false }
            drainScheduled = true
            return true
        }
        if schedule { loop.execute { self.drain() } }
    }

    private func drain() {
        var items: [Item] = lock.withLock {
            let items = queue
            queue = spare
            drainScheduled = false
            return items
        }
        var index = items.startIndex
        while index < items.endIndex {
            switch items[index] {
            case .shared(let delivery):
                let end = runEnd(items, from: index, connections: delivery.connections)
                if end - index > 1 {
                    writeRun(items[index..<end], to: delivery.connections)
                    index = end
                    continue
                }
                for connection in delivery.connections {
                    if let buffer = delivery.buffer(for: connection.format) { append(buffer, to: connection) }
                }
            case .line(let connection, let buffer):
                append(buffer, to: connection)
            case .same(let shared):
                let end = sameRunEnd(items, from: index, connections: shared.connections)
                if end - index > 1 {
                    writeSameRun(items[index..<end], to: shared.connections)
                    index = end
                    continue
                }
                for connection in shared.connections { append(shared.buffer, to: connection) }
            case .close(let connection, let grace):
                write(connection, flush: true)
                connection.closeWhenWritten(grace: grace)
            }
            index += 1
        }
        for connection in touched {
            connection.touched = false
            write(connection, flush: true)
        }
        touched.removeAll(keepingCapacity: true)
        items.removeAll(keepingCapacity: true)
        spare = items
    }

    func markTouched(_ connection: Connection) {
        if !connection.touched {
            connection.touched = true
            touched.append(connection)
        }
    }

    func append(_ buffer: ByteBuffer, to connection: Connection) {
        if connection.unwritten.readableBytes == 0 {
            markTouched(connection)
            connection.unwritten.reserveCapacity(Self.chunkBytes)
        }
        connection.unwritten.writeImmutableBuffer(buffer)
        // Hand over full chunks without a flush: buffers stay under malloc's
        // mmap threshold instead of growing (and faulting in pages) per drain.
        if connection.unwritten.readableBytes >= Self.chunkBytes { write(connection, flush: false) }
    }

    private static let chunkBytes = 32 * 1024

    /// Hands the connection's unwritten bytes to its channel in one write.
    func write(_ connection: Connection, flush: Bool) {
        if connection.unwritten.readableBytes > 0 {
            let bytes = connection.unwritten
            connection.unwritten = Connection.emptyBuffer
            connection.channel.write(bytes, promise: nil)
        }
        if flush { connection.channel.flush() }
    }
}

/// One `LoopOutput` per event loop of a group, fixed at start.
public final class LoopOutputs: @unchecked Sendable {
    private let outputs: [ObjectIdentifier: LoopOutput]

    init(group: EventLoopGroup) {
        var outputs: [ObjectIdentifier: LoopOutput] = [:]
        for loop in group.makeIterator() {
            outputs[ObjectIdentifier(loop)] = LoopOutput(loop: loop)
        }
        self.outputs = outputs
    }

    /// The output of `loop`; a loop outside the group gets one of its own.
    public func output(for loop: EventLoop) -> LoopOutput {
        outputs[ObjectIdentifier(loop)] ?? LoopOutput(loop: loop)
    }
}
