import NIOCore

/// Coalesces flushes on one event loop: writes queue up without a flush,
/// and one task at the end of the loop's current batch flushes every
/// connection that was written to. Under load, many messages to the same
/// client leave in one syscall (as Redis does in its beforeSleep). Used only
/// on its own loop, so it needs no lock.
final class LoopFlusher {
    private let loop: EventLoop
    private var dirty: [Connection] = []
    private var scheduled = false

    init(loop: EventLoop) {
        self.loop = loop
    }

    /// Notes that `connection` has unflushed writes. Call on the loop.
    func needsFlush(_ connection: Connection) {
        if !connection.awaitingFlush {
            connection.awaitingFlush = true
            dirty.append(connection)
        }
        if !scheduled {
            scheduled = true
            loop.execute { self.flushAll() }
        }
    }

    private func flushAll() {
        let connections = dirty
        dirty.removeAll(keepingCapacity: true)
        scheduled = false
        for connection in connections {
            connection.awaitingFlush = false
            connection.channel.flush()
        }
    }
}

/// One `LoopFlusher` per event loop of a group, fixed at start.
final class LoopFlushers: @unchecked Sendable {
    private let flushers: [ObjectIdentifier: LoopFlusher]

    init(group: EventLoopGroup) {
        var flushers: [ObjectIdentifier: LoopFlusher] = [:]
        for loop in group.makeIterator() {
            flushers[ObjectIdentifier(loop)] = LoopFlusher(loop: loop)
        }
        self.flushers = flushers
    }

    func flusher(for loop: EventLoop) -> LoopFlusher? {
        flushers[ObjectIdentifier(loop)]
    }
}
