import ChatCore
import NIOConcurrencyHelpers

/// The open connections, so a shutdown can say goodbye and close each one,
/// and the admission limits: at most `maxConnections` in all and
/// `maxPerAddress` from one address (0: no limit), checked and counted
/// under one lock so a burst of connects cannot slip past them.
public final class ConnectionRegistry: @unchecked Sendable {
    /// Why a new connection was refused.
    public enum Refusal: Equatable, Sendable {
        case serverFull(max: Int)
        case tooManyFromAddress(max: Int)
    }

    private let lock = NIOLock()
    private var connections: [ObjectIdentifier: Connection] = [:]
    private var perAddress: [String: Int] = [:]
    private let maxConnections: Int
    private let maxPerAddress: Int

    init(maxConnections: Int = 0, maxPerAddress: Int = 0) {
        self.maxConnections = maxConnections
        self.maxPerAddress = maxPerAddress
    }

    /// Counts `connection` in, or says why it may not come in.
    public func admit(_ connection: Connection, address: String?) -> Refusal? {
        lock.withLock {
            if maxConnections > 0 && connections.count >= maxConnections { return .serverFull(max: maxConnections) }
            if let address, maxPerAddress > 0, perAddress[address, default: 0] >= maxPerAddress {
                return .tooManyFromAddress(max: maxPerAddress)
            }
            connections[ObjectIdentifier(connection)] = connection
            if let address { perAddress[address, default: 0] += 1 }
            return nil
        }
    }

    /// Counts an admitted connection out.
    public func remove(_ connection: Connection, address: String?) {
        lock.withLock {
            guard connections.removeValue(forKey: ObjectIdentifier(connection)) != nil, let address else { return }
            let left = perAddress[address, default: 1] - 1
            perAddress[address] = left > 0 ? left : nil
        }
    }

    var all: [Connection] { lock.withLock { Array(connections.values) } }
    var count: Int { lock.withLock { connections.count } }
}
