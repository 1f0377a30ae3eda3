import ChatCore
import NIOCore

/// A front end's endpoint whose rendering of most items is the same for
/// many of its endpoints (IRC: one line for every member of a channel who
/// did not send it, with or without `server-time`). For a delivery to
/// several, the outbox asks each for its variant, renders once per variant
/// and queues those bytes for all of them, as it does for plain-text and
/// JSON connections; `receive` is called only where the variant is nil.
public protocol SharedRenderingEndpoint: FrontEndEndpoint {
    var connection: Connection { get }
    /// Which rendering of `item` this endpoint takes (endpoints of one type
    /// with equal variants get the same bytes), or nil for `receive`.
    /// Called under the chat's lock: cheap, no blocking.
    func renderingVariant(of item: Outgoing) -> Int?
    /// The bytes of `item` in this endpoint's variant; nil when it sends nothing.
    func render(_ item: Outgoing) -> ByteBuffer?
}

/// One rendering shared by many connections of one loop; a class, so the
/// loop's queue holds one pointer per item.
final class SharedBuffer {
    let connections: [Connection]
    let buffer: ByteBuffer

    init(connections: [Connection], buffer: ByteBuffer) {
        self.connections = connections
        self.buffer = buffer
    }
}

/// The shared-rendering recipients of one delivery list (a room's, cached
/// with its `LoopRouting`), and how they were grouped last time: the
/// variants of a room's members rarely change between two messages, so
/// the groups (and their connection arrays, which let the loop's drain
/// recognise a run of one room's messages at once) are reused while the
/// variants are the same. Used under the chat's lock, like `LoopRouting`.
final class SharedRendering {
    let endpoints: [SharedRenderingEndpoint]
    private let kinds: [ObjectIdentifier]
    private var shape: Shape?

    /// Who gets which rendering, for one list of variants.
    private struct Shape {
        var variants: [Int?]
        /// One endpoint per distinct (kind, variant): the one that renders it.
        var renderers: [Int]
        var groups: [(rendering: Int, output: LoopOutput, connections: [Connection])]
        var alone: [FrontEndEndpoint]
    }

    init(_ endpoints: [SharedRenderingEndpoint]) {
        self.endpoints = endpoints
        kinds = endpoints.map { ObjectIdentifier(type(of: $0)) }
    }

    var isEmpty: Bool { endpoints.isEmpty }

    /// What to queue on which loop for `item`, and the endpoints that take
    /// it one by one (`receive`).
    func render(_ item: Outgoing) -> (queued: [(output: LoopOutput, item: LoopOutput.Item)], alone: [FrontEndEndpoint]) {
        let variants = endpoints.map { $0.renderingVariant(of: item) }
        if shape?.variants != variants { shape = makeShape(variants) }
        let shape = self.shape!
        let bytes = shape.renderers.map { endpoints[$0].render(item) }
        let queued = shape.groups.compactMap { group -> (output: LoopOutput, item: LoopOutput.Item)? in
            guard let buffer = bytes[group.rendering] else { return nil }
            return (group.output, .same(SharedBuffer(connections: group.connections, buffer: buffer)))
        }
        return (queued, shape.alone)
    }

    private func makeShape(_ variants: [Int?]) -> Shape {
        var shape = Shape(variants: variants, renderers: [], groups: [], alone: [])
        var keys: [(kind: ObjectIdentifier, variant: Int)] = []
        for (index, endpoint) in endpoints.enumerated() {
            guard let variant = variants[index] else {
                shape.alone.append(endpoint)
                continue
            }
            let rendering: Int
            if let found = keys.firstIndex(where: { $0.kind == kinds[index] && $0.variant == variant }) {
                rendering = found
            } else {
                keys.append((kinds[index], variant))
                shape.renderers.append(index)
                rendering = keys.count - 1
            }
            let connection = endpoint.connection
            if let group = shape.groups.firstIndex(where: { $0.rendering == rendering && $0.output === connection.output }) {
                shape.groups[group].connections.append(connection)
            } else {
                shape.groups.append((rendering, connection.output, [connection]))
            }
        }
        return shape
    }
}
