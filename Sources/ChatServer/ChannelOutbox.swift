import ChatCore
import NIOCore

/// Delivers core output to sockets: each item is encoded at most once per
/// wire format, and recipients are grouped by event loop so one message
/// costs one queue hop per loop, not one per recipient.
final class ChannelOutbox: Outbox, @unchecked Sendable {
    func deliver(_ item: Outgoing, to recipients: [any ChatEndpoint]) {
        send(prepare(item, to: recipients))
    }

    func deliver(_ item: Outgoing, to audience: Audience) {
        send(prepare(item, to: audience))
    }

    /// Encodes `item` and addresses it, without sending yet.
    func prepare(_ item: Outgoing, to recipients: [any ChatEndpoint]) -> PreparedDelivery {
        if recipients.count == 1, let connection = recipients[0] as? Connection {
            var bytes = EncodedBytes(item: item)
            bytes.prepare(connection.format)
            guard let buffer = bytes.buffer(for: connection.format) else { return PreparedDelivery() }
            return PreparedDelivery(queued: [(connection.output, .line(connection, buffer))])
        }
        if recipients.count == 1, let endpoint = recipients[0] as? FrontEndEndpoint {
            return PreparedDelivery(item: item, direct: [endpoint])
        }
        return prepare(item, along: LoopRouting(recipients))
    }

    /// A room's members are grouped by loop once per membership change, not
    /// once per message; the core calls this under its lock, which also
    /// guards `audience.routing`.
    func prepare(_ item: Outgoing, to audience: Audience) -> PreparedDelivery {
        let routing: LoopRouting
        if let cached = audience.routing as? LoopRouting {
            routing = cached
        } else {
            routing = LoopRouting(audience.endpoints)
            audience.routing = routing
        }
        return prepare(item, along: routing)
    }

    /// Hands a prepared delivery to the loops (and to the other front
    /// ends' endpoints); callable from any thread.
    func send(_ delivery: PreparedDelivery) {
        for (output, item) in delivery.queued { output.enqueue(item) }
        if let item = delivery.item {
            for endpoint in delivery.direct { endpoint.receive(item) }
        }
    }

    private func prepare(_ item: Outgoing, along routing: LoopRouting) -> PreparedDelivery {
        var bytes = EncodedBytes(item: item)
        for format in routing.formats { bytes.prepare(format) }
        var delivery = PreparedDelivery(queued: routing.groups.map { group in
            (group.output, .shared(SharedDelivery(connections: group.connections, bytes: bytes.encoded)))
        })
        var direct = routing.direct
        if !routing.sharing.isEmpty {
            let (queued, alone) = routing.sharing.render(item)
            delivery.queued += queued
            direct += alone
        }
        if !direct.isEmpty {
            delivery.item = item
            delivery.direct = direct
        }
        return delivery
    }

    func disconnect(_ endpoint: any ChatEndpoint) {
        if let connection = endpoint as? Connection {
            connection.closeAfterPendingWrites()
        } else {
            (endpoint as? FrontEndEndpoint)?.closeAfterPendingWrites()
        }
    }
}

/// The endpoint of a front end with a wire of its own (IRC): it renders
/// what it receives itself. `receive` is called from any thread, in the
/// order the core delivered, once the item is durable; it must not block.
public protocol FrontEndEndpoint: ChatEndpoint {
    func receive(_ item: Outgoing)
    /// Closes the connection once what it was sent before is written.
    func closeAfterPendingWrites()
}

/// An item encoded and addressed: what to queue on which loop, and which
/// other front ends' endpoints get the item itself.
struct PreparedDelivery: @unchecked Sendable {
    var queued: [(output: LoopOutput, item: LoopOutput.Item)] = []
    var item: Outgoing? = nil
    var direct: [FrontEndEndpoint] = []
}

/// Recipients grouped by the loop that owns their socket, and the wire
/// formats they use.
final class LoopRouting {
    let groups: [(output: LoopOutput, connections: [Connection])]
    let formats: [WireFormat]
    /// Recipients of other front ends, which render for themselves.
    let direct: [FrontEndEndpoint]
    /// Recipients of other front ends whose renderings are shared.
    let sharing: SharedRendering

    init(_ recipients: [any ChatEndpoint]) {
        // A handful of loops: a linear scan beats hashing per recipient.
        var groups: [(output: LoopOutput, connections: [Connection])] = []
        var formats: [WireFormat] = []
        var direct: [FrontEndEndpoint] = []
        var sharing: [SharedRenderingEndpoint] = []
        for recipient in recipients {
            guard let connection = recipient as? Connection else {
                if let endpoint = recipient as? SharedRenderingEndpoint {
                    sharing.append(endpoint)
                } else if let endpoint = recipient as? FrontEndEndpoint {
                    direct.append(endpoint)
                }
                continue
            }
            if !formats.contains(connection.format) { formats.append(connection.format) }
            if let index = groups.firstIndex(where: { $0.output === connection.output }) {
                groups[index].connections.append(connection)
            } else {
                groups.append((connection.output, [connection]))
            }
        }
        self.groups = groups
        self.formats = formats
        self.direct = direct
        self.sharing = SharedRendering(sharing)
    }
}

/// One item's bytes for the connections of one loop, each connection
/// taking the encoding of its wire format. A class, so the loop's queue
/// holds one pointer per message.
final class SharedDelivery {
    let connections: [Connection]
    private let bytes: WireBytes

    init(connections: [Connection], bytes: WireBytes) {
        self.connections = connections
        self.bytes = bytes
    }

    /// The bytes for `format`, or nil when there is nothing to send in it.
    func buffer(for format: WireFormat) -> ByteBuffer? { bytes.buffer(for: format) }
}

/// An item's encodings, one per wire format; nil where there is nothing to
/// send in that format (or it was not needed).
struct WireBytes {
    var text: ByteBuffer?
    var json: ByteBuffer?

    func buffer(for format: WireFormat) -> ByteBuffer? {
        switch format {
        case .text: text
        case .json: json
        }
    }
}

/// One outgoing item, encoded once per wire format its recipients use
/// (ByteBuffers are copy-on-write, so the encodings are shared).
private struct EncodedBytes {
    private let item: Outgoing
    private(set) var encoded = WireBytes()
    private var textReady = false
    private var jsonReady = false

    init(item: Outgoing) { self.item = item }

    /// Encodes for `format` unless already done.
    mutating func prepare(_ format: WireFormat) {
        switch format {
        case .text:
            guard !textReady else { return }
            textReady = true
            let line = TextRenderer.render(item)
            // A plain-text success reply with no text sends nothing.
            encoded.text = line.isEmpty ? nil : Connection.buffer(for: line)
        case .json:
            guard !jsonReady else { return }
            jsonReady = true
            encoded.json = Connection.buffer(for: JSONRenderer.render(item))
        }
    }

    /// The bytes for `format`, or nil when there is nothing to send in it.
    func buffer(for format: WireFormat) -> ByteBuffer? { encoded.buffer(for: format) }
}
