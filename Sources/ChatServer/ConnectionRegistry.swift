import NIOConcurrencyHelpers

/// The open connections, so a shutdown can say goodbye and close each one.
final class ConnectionRegistry: @unchecked Sendable {
    private let lock = NIOLock()
    private var connections: [ObjectIdentifier: Connection] = [:]

    func add(_ connection: Connection) {
        lock.withLock { connections[ObjectIdentifier(connection)] = connection }
    }

    func remove(_ connection: Connection) {
        lock.withLock { _ = connections.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    var all: [Connection] { lock.withLock { Array(connections.values) } }
    var count: Int { lock.withLock { connections.count } }
}
