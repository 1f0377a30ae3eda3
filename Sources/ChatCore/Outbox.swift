/// The far end of one user's connection, as the core sees it: an opaque
/// handle the front end gave at connect time and gets back on delivery.
public protocol ChatEndpoint: AnyObject, Sendable {}

/// The single seam through which everything leaves the core. The server's
/// implementation encodes once per format and writes grouped by event loop;
/// a message bus between nodes can stand here later.
public protocol Outbox: Sendable {
    /// Sends `item` to every endpoint in `recipients`.
    func deliver(_ item: Outgoing, to recipients: [any ChatEndpoint])
    /// Closes the endpoint's connection once what was delivered before is written.
    func disconnect(_ endpoint: any ChatEndpoint)
}
