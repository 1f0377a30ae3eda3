import ChatCore
import NIOCore

/// Delivers core output to sockets: each item is encoded at most once per
/// wire format, and recipients are grouped by event loop so one message
/// costs one hop per loop, not one per recipient.
final class ChannelOutbox: Outbox, @unchecked Sendable {
    /// Never writes in place, even on the caller's own loop: the caller holds
    /// the chat's lock, and a write can fire handlers (a full buffer closing
    /// the channel, a reset) that need that lock again. Tasks on one loop run
    /// in order, so every connection still sees items in the order sent.
    func deliver(_ item: Outgoing, to recipients: [any ChatEndpoint]) {
        var encoded = EncodedItem(item: item)
        if recipients.count == 1, let connection = recipients[0] as? Connection {
            guard let buffer = encoded.buffer(for: connection.format) else { return }
            connection.eventLoop.execute { connection.writeOnLoop(buffer) }
            return
        }
        var groups: [ObjectIdentifier: (loop: EventLoop, writes: [(Connection, ByteBuffer)])] = [:]
        for case let connection as Connection in recipients {
            guard let buffer = encoded.buffer(for: connection.format) else { continue }
            groups[ObjectIdentifier(connection.eventLoop), default: (connection.eventLoop, [])].writes
                .append((connection, buffer))
        }
        for (_, group) in groups {
            let writes = group.writes
            group.loop.execute {
                for (connection, buffer) in writes { connection.writeOnLoop(buffer) }
            }
        }
    }

    func disconnect(_ endpoint: any ChatEndpoint) {
        (endpoint as? Connection)?.closeAfterPendingWrites()
    }
}

/// One outgoing item and its encodings, made on first use.
private struct EncodedItem {
    let item: Outgoing
    private var text: ByteBuffer??
    private var json: ByteBuffer?

    init(item: Outgoing) { self.item = item }

    /// The bytes for `format`, or nil when there is nothing to send in it
    /// (a plain-text success reply with no text).
    mutating func buffer(for format: WireFormat) -> ByteBuffer? {
        switch format {
        case .text:
            if let text { return text }
            let line = TextRenderer.render(item)
            let encoded: ByteBuffer? = line.isEmpty ? nil : Connection.buffer(for: line)
            text = .some(encoded)
            return encoded
        case .json:
            if let json { return json }
            let encoded = Connection.buffer(for: JSONRenderer.render(item))
            json = encoded
            return encoded
        }
    }
}
