import ChatCore
import Foundation

/// One script's key-value store: kept in memory for reads, every change
/// recorded in the chat's storage (batched, off the chat's path), so values
/// survive /reload and restarts. Shared by the versions of one file across
/// reloads, so it has a lock of its own.
///
/// Writes are bounded three ways, so no script can grow the storage's queue
/// or the disk faster than a small, fixed rate: a bucket of writes and one
/// of bytes per second, and a cap on writes recorded but not yet durable
/// (backpressure: past it, `set` fails until the disk catches up).
final class BotStore: @unchecked Sendable {
    static let maxKeys = 1000
    static let maxKeyBytes = 200
    static let maxValueBytes = 64 * 1024
    static let writesPerSecond = 50.0
    static let burstWrites = 500.0
    static let bytesPerSecond = 64.0 * 1024
    static let burstBytes = 1024.0 * 1024
    static let maxUnwritten = 1000

    enum Failure: Error, CustomStringConvertible {
        case keyTooLong, valueTooLong, tooManyKeys, tooManyWrites, tooManyBytes, storageBehind
        var description: String {
            switch self {
            case .keyTooLong: return "chave longa demais (máximo \(BotStore.maxKeyBytes) bytes)"
            case .valueTooLong: return "valor longo demais (máximo \(BotStore.maxValueBytes) bytes)"
            case .tooManyKeys: return "chaves demais (máximo \(BotStore.maxKeys))"
            case .tooManyWrites: return "gravações demais (até \(Int(BotStore.writesPerSecond)) por segundo)"
            case .tooManyBytes: return "gravações grandes demais (até \(Int(BotStore.bytesPerSecond / 1024)) KiB por segundo)"
            case .storageBehind: return "o disco ainda não gravou as anteriores; tente de novo em instantes"
            }
        }
    }

    let script: String
    private let storage: (any ChatStorage)?
    private let lock = NSLock()
    private var values: [String: String]
    private var writes = RateBucket(rate: writesPerSecond, burst: burstWrites)
    private var bytes = RateBucket(rate: bytesPerSecond, burst: burstBytes)
    /// Writes recorded and not yet durable, under `counter`: a lock of its
    /// own, because the storage runs `whenDurable` actions under its lock,
    /// which `record` takes while `lock` is held.
    private var unwritten = 0
    private let counter = NSLock()

    init(script: String, values: [String: String], storage: (any ChatStorage)?) {
        self.script = script
        self.values = Dictionary(values.map { (Self.normalized($0.key), $0.value) }) { _, last in last }
        self.storage = storage
    }

    private static func sameBytes(_ a: String?, _ b: String?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return a.utf8.elementsEqual(b.utf8)
    }

    /// Keys are kept in Unicode's composed form (NFC): Swift compares strings
    /// by canonical equivalence and SQLite by bytes, so "é" and "e\u{301}"
    /// must be one key in both, not two that alias after a restart.
    static func normalized(_ key: String) -> String {
        key.utf8.allSatisfy { $0 < 0x80 } ? key : key.precomposedStringWithCanonicalMapping
    }

    func get(_ key: String) -> String? { lock.withLock { values[Self.normalized(key)] } }

    var keys: [String] { lock.withLock { values.keys.sorted() } }

    /// Sets or (with nil) deletes `key`.
    func set(_ key: String, _ value: String?) throws {
        let key = Self.normalized(key)
        let recorded: Bool = try lock.withLock {
            guard key.utf8.count <= Self.maxKeyBytes else { throw Failure.keyTooLong }
            if let value {
                guard value.utf8.count <= Self.maxValueBytes else { throw Failure.valueTooLong }
                guard values[key] != nil || values.count < Self.maxKeys else { throw Failure.tooManyKeys }
            }
            // Values are kept byte for byte: compared as bytes, not as Strings.
            guard !Self.sameBytes(values[key], value) else { return false }
            guard counter.withLock({ unwritten }) < Self.maxUnwritten else { throw Failure.storageBehind }
            let size = Double(key.utf8.count + (value?.utf8.count ?? 0))
            guard writes.take(1) else { throw Failure.tooManyWrites }
            guard bytes.take(size) else { throw Failure.tooManyBytes }
            values[key] = value
            guard let storage else { return false }
            counter.withLock { unwritten += 1 }
            storage.record(.botValue(script: script, key: key, value: value))
            return true
        }
        guard recorded, let storage else { return }
        storage.whenDurable { [weak self] in
            guard let self else { return }
            self.counter.withLock { self.unwritten -= 1 }
        }
    }
}
