import ChatCore
import Foundation

/// One bot's stored values: kept in memory for reads, every change recorded
/// in the chat's storage as JSON (batched, off the chat's path), so values
/// survive /reload, restarts and a renamed file (the owner is the bot's
/// declared name). Values are strings, numbers, booleans and tables of
/// them (LuaJSON). Shared by the versions of one bot across reloads, so it
/// has a lock of its own.
///
/// Bounded by bytes, not keys: at most `maxBytes` of keys and values in
/// all. Writes are bounded three ways, so no script can grow the storage's
/// queue or the disk faster than a small, fixed rate: a bucket of writes
/// and one of bytes per second, and a cap on writes recorded but not yet
/// durable (backpressure: past it, `set` fails until the disk catches up).
final class BotStore: @unchecked Sendable {
    static let maxBytes = 1 << 20
    static let maxKeyBytes = 200
    static let maxValueBytes = 64 * 1024
    static let writesPerSecond = 50.0
    static let burstWrites = 500.0
    static let bytesPerSecond = 64.0 * 1024
    static let burstBytes = 1024.0 * 1024
    static let maxUnwritten = 1000
    /// What one entry costs beyond its bytes (Swift's dictionary, the parsed
    /// value), counted in the byte cap so tiny keys cannot make it millions.
    static let entryOverhead = 64

    enum Failure: Error, CustomStringConvertible {
        case keyTooLong, valueTooLong, full, tooManyWrites, tooManyBytes, storageBehind
        var description: String {
            switch self {
            case .keyTooLong: return "chave longa demais (máximo \(BotStore.maxKeyBytes) bytes)"
            case .valueTooLong: return "valor grande demais (máximo \(BotStore.maxValueBytes / 1024) KiB em JSON)"
            case .full: return "o armazenamento do bot está cheio (máximo \(BotStore.maxBytes >> 20) MiB de chaves e valores)"
            case .tooManyWrites: return "gravações demais (até \(Int(BotStore.writesPerSecond)) por segundo)"
            case .tooManyBytes: return "gravações grandes demais (até \(Int(BotStore.bytesPerSecond / 1024)) KiB por segundo)"
            case .storageBehind: return "o disco ainda não gravou as anteriores; tente de novo em instantes"
            }
        }
    }

    private struct Entry {
        var value: LuaValue
        var json: String
        var size: Int
    }

    let owner: String
    private let storage: (any ChatStorage)?
    private let lock = NSLock()
    private var values: [BotValueKey: Entry] = [:]
    /// Entries per scope, so asking whether a scope is empty costs nothing.
    private var perScope: [String: Int] = [:]
    private var used = 0
    private var writes = RateBucket(rate: writesPerSecond, burst: burstWrites)
    private var bytes = RateBucket(rate: bytesPerSecond, burst: burstBytes)
    /// Writes recorded and not yet durable, under `counter`: a lock of its
    /// own, because the storage runs `whenDurable` actions under its lock,
    /// which `record` takes while `lock` is held.
    private var unwritten = 0
    private let counter = NSLock()

    /// `saved`: the owner's values as the storage gave them (JSON texts);
    /// one that does not decode is dropped.
    init(owner: String, saved: [BotValueKey: String], storage: (any ChatStorage)?) {
        self.owner = owner
        self.storage = storage
        for (key, json) in saved {
            guard let value = try? LuaJSON.decode(json) else { continue }
            let key = Self.normalized(key)
            let size = Self.entryOverhead + key.key.utf8.count + key.scope.utf8.count + json.utf8.count
            values[key] = Entry(value: value, json: json, size: size)
            perScope[key.scope, default: 0] += 1
            used += size
        }
    }

    /// True when `scope` holds no key (a cheap check on the message path).
    func isEmpty(scope: String) -> Bool { lock.withLock { (perScope[scope] ?? 0) == 0 } }

    /// Keys are kept in Unicode's composed form (NFC): Swift compares strings
    /// by canonical equivalence and SQLite by bytes, so "é" and "e\u{301}"
    /// must be one key in both, not two that alias after a restart.
    static func normalized(_ key: BotValueKey) -> BotValueKey {
        func nfc(_ s: String) -> String { s.utf8.allSatisfy { $0 < 0x80 } ? s : s.precomposedStringWithCanonicalMapping }
        return BotValueKey(scope: nfc(key.scope), key: nfc(key.key))
    }

    /// Byte for byte, not Swift's canonical equivalence (`é` is not `e\u{301}`).
    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) } }
    }

    func get(_ key: BotValueKey) -> LuaValue? { lock.withLock { values[Self.normalized(key)]?.value } }

    /// The keys of one scope, sorted.
    func keys(in scope: String) -> [String] {
        lock.withLock { values.keys.filter { $0.scope == scope }.map(\.key).sorted() }
    }

    /// Every value, as JSON, for moving them to another owner.
    var saved: [BotValueKey: String] { lock.withLock { values.mapValues(\.json) } }

    /// Sets or (with nil) deletes `key`.
    func set(_ key: BotValueKey, _ value: LuaValue?) throws {
        try set(key, value, budgeted: true)
    }

    /// `set` for a moderator's or an admin's change to the bot (a room
    /// switch, a setting): outside the script's write budgets and its byte
    /// cap, so a bot cannot keep its moderators from switching it off.
    /// Small values, at the rate people type commands.
    func setForAdmin(_ key: BotValueKey, _ value: LuaValue?) throws {
        try set(key, value, budgeted: false)
    }

    private func set(_ key: BotValueKey, _ value: LuaValue?, budgeted: Bool) throws {
        let key = Self.normalized(key)
        guard key.key.utf8.count <= Self.maxKeyBytes else { throw Failure.keyTooLong }
        let json = try value.map { try LuaJSON.encode($0) }
        if let json, json.utf8.count > Self.maxValueBytes { throw Failure.valueTooLong }
        let recorded: Bool = try lock.withLock {
            // Compared as JSON text: byte for byte what would be stored.
            if let old = values[key]?.json, let json, Self.sameBytes(old, json) { return false }
            if values[key] == nil, json == nil { return false }
            let size = json.map { Self.entryOverhead + key.key.utf8.count + key.scope.utf8.count + $0.utf8.count } ?? 0
            let growth = size - (values[key]?.size ?? 0)
            if budgeted {
                guard growth <= 0 || used + growth <= Self.maxBytes else { throw Failure.full }
                guard counter.withLock({ unwritten }) < Self.maxUnwritten else { throw Failure.storageBehind }
                guard writes.take(1) else { throw Failure.tooManyWrites }
                guard bytes.take(Double(max(size, key.key.utf8.count))) else { throw Failure.tooManyBytes }
            }
            if let value, let json {
                if values.updateValue(Entry(value: value, json: json, size: size), forKey: key) == nil {
                    perScope[key.scope, default: 0] += 1
                }
            } else if values.removeValue(forKey: key) != nil {
                perScope[key.scope, default: 0] -= 1
            }
            used += growth
            guard let storage else { return false }
            counter.withLock { unwritten += 1 }
            storage.record(.botValue(owner: owner, key, value: json))
            return true
        }
        guard recorded, let storage else { return }
        storage.whenDurable { [weak self] in
            guard let self else { return }
            self.counter.withLock { self.unwritten -= 1 }
        }
    }
}
