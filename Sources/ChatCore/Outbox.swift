/// The far end of one user's connection, as the core sees it: an opaque
/// handle the front end gave at connect time and gets back on delivery.
public protocol ChatEndpoint: AnyObject, Sendable {
    /// The front end may hand this user's lines to the core again: it
    /// stopped because the core's `handle` said so (too many of the user's
    /// lines wait behind one a bot is handling). Called from any thread.
    func resumeInput()
}

extension ChatEndpoint {
    public func resumeInput() {}
}

/// The single seam through which everything leaves the core. The server's
/// implementation encodes once per format and writes grouped by event loop;
/// a message bus between nodes can stand here later.
public protocol Outbox: Sendable {
    /// Sends `item` to every endpoint in `recipients`.
    func deliver(_ item: Outgoing, to recipients: [any ChatEndpoint])
    /// Sends `item` to a room's members (default: to `audience.endpoints`).
    func deliver(_ item: Outgoing, to audience: Audience)
    /// Closes the endpoint's connection once what was delivered before is written.
    func disconnect(_ endpoint: any ChatEndpoint)
}

/// The endpoints a room's messages go to, kept ready for every delivery.
/// An outbox may attach its own precomputed `routing` (the server groups the
/// members by event loop), which is dropped whenever membership changes.
/// Used only by whoever drives the `Chat`, under its serialisation.
public final class Audience: @unchecked Sendable {
    /// The members' endpoints in arrival order.
    public private(set) var endpoints: [any ChatEndpoint] = []
    /// The outbox's cache for these endpoints; nil after every change.
    public var routing: AnyObject?

    init() {}

    func append(_ endpoint: any ChatEndpoint) {
        endpoints.append(endpoint)
        routing = nil
    }

    func replace(at index: Int, with endpoint: any ChatEndpoint) {
        endpoints[index] = endpoint
        routing = nil
    }

    func remove(at index: Int) {
        endpoints.remove(at: index)
        routing = nil
    }
}

extension Outbox {
    /// Sends `item` to every member of `audience`; an outbox with a faster
    /// way for a stable audience implements this itself.
    public func deliver(_ item: Outgoing, to audience: Audience) {
        deliver(item, to: audience.endpoints)
    }
}
