import ChatCore

/// The server's outbox when history is kept: every delivery (and every
/// disconnect) waits until the changes recorded before it are committed,
/// in the order made. A message is recorded before it is delivered, so
/// whatever a client has seen (its echo, a result, someone else's copy) is
/// already in the database: a crash or `kill -9` cannot lose an
/// acknowledged message. Encoding and addressing happen at once, under the
/// chat's lock as before; only the hand-over to the loops waits.
final class DurableOutbox: Outbox, @unchecked Sendable {
    private let inner = ChannelOutbox()
    private let storage: any ChatStorage

    init(storage: any ChatStorage) {
        self.storage = storage
    }

    func deliver(_ item: Outgoing, to recipients: [any ChatEndpoint]) {
        let prepared = inner.prepare(item, to: recipients)
        storage.whenDurable { [inner] in inner.send(prepared) }
    }

    func deliver(_ item: Outgoing, to audience: Audience) {
        let prepared = inner.prepare(item, to: audience)
        storage.whenDurable { [inner] in inner.send(prepared) }
    }

    func disconnect(_ endpoint: any ChatEndpoint) {
        storage.whenDurable { [inner] in inner.disconnect(endpoint) }
    }
}
