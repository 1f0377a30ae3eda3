import ChatCore

/// One script's key-value store: kept in memory for reads, every change
/// recorded in the chat's storage (batched, off the chat's path), so values
/// survive /reload and restarts. Owned by the engine, like the scripts.
final class BotStore {
    static let maxKeys = 1000
    static let maxKeyBytes = 200
    static let maxValueBytes = 64 * 1024

    enum Failure: Error, CustomStringConvertible {
        case keyTooLong, valueTooLong, tooManyKeys
        var description: String {
            switch self {
            case .keyTooLong: return "chave longa demais (máximo \(BotStore.maxKeyBytes) bytes)"
            case .valueTooLong: return "valor longo demais (máximo \(BotStore.maxValueBytes) bytes)"
            case .tooManyKeys: return "chaves demais (máximo \(BotStore.maxKeys))"
            }
        }
    }

    let script: String
    private let storage: (any ChatStorage)?
    private(set) var values: [String: String]

    init(script: String, values: [String: String], storage: (any ChatStorage)?) {
        self.script = script
        self.values = values
        self.storage = storage
    }

    func get(_ key: String) -> String? { values[key] }

    var keys: [String] { values.keys.sorted() }

    /// Sets or (with nil) deletes `key`.
    func set(_ key: String, _ value: String?) throws {
        guard key.utf8.count <= Self.maxKeyBytes else { throw Failure.keyTooLong }
        if let value {
            guard value.utf8.count <= Self.maxValueBytes else { throw Failure.valueTooLong }
            guard values[key] != nil || values.count < Self.maxKeys else { throw Failure.tooManyKeys }
        }
        guard values[key] != value else { return }
        values[key] = value
        storage?.record(.botValue(script: script, key: key, value: value))
    }
}
