import ChatCore
import ChatStore
import Foundation
import Testing

/// Both stores must agree: the in-memory one stands in for SQLite in tests.
@Suite("Storage")
struct StorageTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case memory, sqlite
        var testDescription: String { rawValue }
    }

    static func make(_ kind: Kind, directory: URL) throws -> any ChatStorage {
        switch kind {
        case .memory: return MemoryStorage()
        case .sqlite: return try SQLiteStorage(directory: directory)
        }
    }

    static func directory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("papo-store-\(UUID().uuidString)")
    }

    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func message(_ text: String, room: String = "geral", sender: String = "ana", recipient: String? = nil,
                        from senderSession: String? = nil, to recipientSession: String? = nil, at offset: Double) -> StoredMessage {
        StoredMessage(kind: recipient == nil ? .public : .private, room: room, sender: sender, recipient: recipient,
                      text: text, time: t0.addingTimeInterval(offset),
                      senderSession: senderSession, recipientSession: recipientSession)
    }

    static func history(_ store: any ChatStorage, room: String, session: String, limit: Int) -> [String] {
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        store.history(room: room, session: session, limit: limit) { messages in
            box.texts = messages.map(\.text)
            done.signal()
        }
        done.wait()
        return box.texts
    }

    final class Box: @unchecked Sendable { var texts: [String] = [] }

    @Test(arguments: Kind.allCases)
    func historyIsTheRoomPlusTheViewersOwnPrivateMessages(_ kind: Kind) throws {
        let store = try Self.make(kind, directory: Self.directory())
        store.record(.message(Self.message("um", at: 1)))
        store.record(.message(Self.message("outra sala", room: "jogos", at: 2)))
        store.record(.message(Self.message("psiu", recipient: "bia", from: "s-ana", to: "s-bia", at: 3)))
        store.record(.message(Self.message("alheio", recipient: "caio", from: "s-dani", to: "s-caio", at: 4)))
        store.record(.message(Self.message("dois", room: "Geral", at: 5)))
        #expect(Self.history(store, room: "geral", session: "s-bia", limit: 10) == ["um", "psiu", "dois"])
        #expect(Self.history(store, room: "geral", session: "s-ana", limit: 2) == ["psiu", "dois"])
        #expect(Self.history(store, room: "jogos", session: "s-x", limit: 10) == ["outra sala"])
    }

    @Test(arguments: Kind.allCases)
    func roomsBansAndCountersReload(_ kind: Kind) throws {
        let directory = Self.directory()
        let store = try Self.make(kind, directory: directory)
        store.record(.roomCreated(RoomRecord(name: "Jogos", createdBy: "ana", createdAt: Self.t0, moderators: ["ana"])))
        store.record(.moderatorRenamed(room: "jogos", from: "ana", to: "aninha"))
        store.record(.banAdded(room: "jogos", BanRecord(name: "bia", address: "10.0.0.2", bannedBy: "aninha", time: Self.t0)))
        store.record(.banAdded(room: "jogos", BanRecord(name: "caio", address: nil, bannedBy: "aninha", time: Self.t0)))
        store.record(.banRemoved(room: "jogos", name: "CAIO"))
        store.record(.message(Self.message("a", at: 1)))
        store.record(.message(Self.message("b", sender: "bia", at: 2)))
        store.record(.message(Self.message("c", at: 3)))
        store.flush()
        let reopened = kind == .sqlite ? try SQLiteStorage(directory: directory) : store
        let state = try reopened.load()
        #expect(state.rooms.map(\.name) == ["Jogos"])
        #expect(state.rooms.first?.moderators == ["aninha"])
        #expect(state.rooms.first?.bans.map(\.name) == ["bia"])
        #expect(state.rooms.first?.bans.first?.address == "10.0.0.2")
        #expect(state.totalMessages == 3)
        #expect(state.messagesByUser == ["ana": 2, "bia": 1])
        #expect(state.firstMessageAt == Self.t0.addingTimeInterval(1))
    }

    /// SQLite writes a batch's messages in multi-row chunks and sums its
    /// counters: rows keep their order across chunks, and counters add up
    /// within a batch, across batches, and leave the bot's messages out.
    @Test(arguments: Kind.allCases)
    func batchesKeepOrderAndCountersAddUp(_ kind: Kind) throws {
        let directory = Self.directory()
        let store = try Self.make(kind, directory: directory)
        for i in 0..<150 { store.record(.message(Self.message("a\(i)", sender: i % 5 == 0 ? "bia" : "ana", at: Double(i)))) }
        store.record(.message(Self.message("bot", sender: Chat.botName, at: 200)))
        store.flush()
        for i in 0..<7 { store.record(.message(Self.message("b\(i)", sender: "bia", at: Double(300 + i)))) }
        store.flush()
        let reopened = kind == .sqlite ? try SQLiteStorage(directory: directory) : store
        let state = try reopened.load()
        #expect(state.totalMessages == 157)
        #expect(state.messagesByUser == ["ana": 120, "bia": 37])
        #expect(state.firstMessageAt == Self.t0)
        let expected = (0..<150).map { "a\($0)" } + ["bot"] + (0..<7).map { "b\($0)" }
        #expect(Self.history(reopened, room: "geral", session: "none", limit: 200) == expected)
    }

    /// Full 64-row chunks are bound by hand (MessageRows): every field must
    /// come back as recorded, nils as nils and texts byte for byte.
    @Test func sqliteChunksKeepEveryFieldOfEveryRow() throws {
        let directory = Self.directory()
        let store = try SQLiteStorage(directory: directory)
        let recorded: [StoredMessage] = (0..<130).map { (i: Int) -> StoredMessage in
            let at = Double(i) + 0.25
            if i % 3 == 0 {
                return Self.message("só para a bia \(i) 🎉", recipient: "bia", from: "s1", to: "s2", at: at)
            }
            let text = i == 7 ? "" : "ação \(i) \u{202E}x"
            return Self.message(text, sender: "ção", at: at)
        }
        for m in recorded { store.record(.message(m)) }
        store.flush()
        let reopened = try SQLiteStorage(directory: directory)
        let box = MessagesBox()
        let done = DispatchSemaphore(value: 0)
        reopened.history(room: "geral", session: "s1", limit: 200) { box.messages = $0; done.signal() }
        done.wait()
        #expect(box.messages == recorded)
    }

    final class MessagesBox: @unchecked Sendable { var messages: [StoredMessage] = [] }

    @Test func sqliteHistoryIsReadFromTheFileAfterReopening() throws {
        let directory = Self.directory()
        let first = try SQLiteStorage(directory: directory)
        for i in 1...30 { first.record(.message(Self.message("m\(i)", at: Double(i)))) }
        first.flush()
        let second = try SQLiteStorage(directory: directory)
        #expect(Self.history(second, room: "geral", session: "none", limit: 3) == ["m28", "m29", "m30"])
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("papo.sqlite").path))
    }
}
