import NIOCore

/// Runs: a busy room's messages queued in one drain, written to most members
/// as one joined buffer that they all share.
extension LoopOutput {
    /// Where the run that starts at `start` ends. A run is shared deliveries
    /// to exactly `connections`, with single lines (such as the senders' own
    /// JSON results) and other front ends' shared lines (IRC members of the
    /// same room, never among `connections`) allowed in between.
    func runEnd(_ items: [Item], from start: Int, connections: [Connection]) -> Int {
        var end = start + 1
        var lastShared = start
        scan: while end < items.endIndex {
            switch items[end] {
            case .shared(let next) where Self.same(next.connections, connections): lastShared = end
            case .line, .same: break
            default: break scan
            }
            end += 1
        }
        // Lines after the last shared delivery are not part of the run.
        return lastShared + 1
    }

    /// Equal lists; a room's messages share one array (see `LoopRouting`),
    /// so the storage check settles it without a walk.
    static func same(_ a: [Connection], _ b: [Connection]) -> Bool {
        let sameStorage = a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { a.baseAddress == $0.baseAddress } }
        return (sameStorage && a.count == b.count) || a.elementsEqual(b, by: ===)
    }

    /// Writes a run. Members with no line of their own inside it get the
    /// run's messages as one buffer per wire format, joined once and shared,
    /// so each costs one write of a reference-counted buffer instead of one
    /// copy per message. Members with lines inside it (a JSON sender's
    /// results) get every item appended in queue order, like any drain.
    func writeRun(_ run: ArraySlice<Item>, to connections: [Connection]) {
        var lineTargets = Set<ObjectIdentifier>()
        for case .line(let connection, _) in run { lineTargets.insert(ObjectIdentifier(connection)) }
        var replayed = Set<ObjectIdentifier>()
        var joined: [WireFormat: ByteBuffer] = [:]
        for connection in connections {
            if lineTargets.contains(ObjectIdentifier(connection)) {
                replayed.insert(ObjectIdentifier(connection))
                replay(run, for: connection)
                continue
            }
            let format = connection.format
            if joined[format] == nil { joined[format] = Self.join(run, format: format) }
            guard let bytes = joined[format], bytes.readableBytes > 0 else { continue }
            write(connection, flush: false)
            connection.channel.write(bytes, promise: nil)
            markTouched(connection)
        }
        // Lines for connections outside the run keep their own order.
        for item in run {
            switch item {
            case .line(let connection, let buffer) where !replayed.contains(ObjectIdentifier(connection)):
                append(buffer, to: connection)
            case .same(let shared):
                for connection in shared.connections { append(shared.buffer, to: connection) }
            default:
                break
            }
        }
    }

    private func replay(_ run: ArraySlice<Item>, for connection: Connection) {
        for item in run {
            switch item {
            case .shared(let delivery):
                if let buffer = delivery.buffer(for: connection.format) { append(buffer, to: connection) }
            case .line(let target, let buffer) where target === connection:
                append(buffer, to: connection)
            default:
                break
            }
        }
    }

    private static func join(_ run: ArraySlice<Item>, format: WireFormat) -> ByteBuffer {
        var joined = ByteBufferAllocator().buffer(capacity: 0)
        for case .shared(let delivery) in run {
            if let buffer = delivery.buffer(for: format) { joined.writeImmutableBuffer(buffer) }
        }
        return joined
    }

    /// Where a run of another front end's shared lines (`.same`) to exactly
    /// `connections`, starting at `start`, ends.
    func sameRunEnd(_ items: [Item], from start: Int, connections: [Connection]) -> Int {
        var end = start + 1
        while end < items.endIndex, case .same(let next) = items[end], Self.same(next.connections, connections) {
            end += 1
        }
        return end
    }

    /// Writes such a run as one joined buffer that every connection shares,
    /// after what each had pending, so order holds.
    func writeSameRun(_ run: ArraySlice<Item>, to connections: [Connection]) {
        var joined = ByteBufferAllocator().buffer(capacity: 0)
        for case .same(let shared) in run { joined.writeImmutableBuffer(shared.buffer) }
        for connection in connections {
            write(connection, flush: false)
            connection.channel.write(joined, promise: nil)
            markTouched(connection)
        }
    }
}
