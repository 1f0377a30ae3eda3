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
                        from senderSession: String? = nil, to recipientSession: String? = nil,
                        accounts: (from: String?, to: String?) = (nil, nil), at offset: Double) -> StoredMessage {
        StoredMessage(kind: recipient == nil ? .public : .private, room: room, sender: sender, recipient: recipient,
                      text: text, time: t0.addingTimeInterval(offset),
                      senderSession: senderSession, recipientSession: recipientSession,
                      senderAccount: accounts.from, recipientAccount: accounts.to)
    }

    static func history(_ store: any ChatStorage, room: String, session: String, account: String? = nil,
                        limit: Int) -> [String] {
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        store.history(room: room, viewer: HistoryViewer(session: session, account: account), limit: limit) { messages in
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

    /// An identified viewer also sees the private messages of their
    /// account from earlier connections, once each; a guest never does.
    @Test(arguments: Kind.allCases)
    func historyShowsAnAccountsPrivateMessagesFromEveryConnection(_ kind: Kind) throws {
        let store = try Self.make(kind, directory: Self.directory())
        store.record(.message(Self.message("ontem", recipient: "bia", from: "s-old", to: "s-bia",
                                           accounts: ("acc-ana", nil), at: 1)))
        store.record(.message(Self.message("para ana", sender: "bia", recipient: "ana", from: "s-bia", to: "s-old2",
                                           accounts: (nil, "acc-ana"), at: 2)))
        store.record(.message(Self.message("de outra conta", sender: "caio", recipient: "dani", from: "s-c", to: "s-d",
                                           accounts: ("acc-caio", "acc-dani"), at: 3)))
        store.record(.message(Self.message("agora", recipient: "bia", from: "s-now", to: "s-bia",
                                           accounts: ("acc-ana", nil), at: 4)))
        #expect(Self.history(store, room: "geral", session: "s-now", account: "acc-ana", limit: 10)
                == ["ontem", "para ana", "agora"])
        #expect(Self.history(store, room: "geral", session: "s-now", limit: 10) == ["agora"])
        #expect(Self.history(store, room: "geral", session: "s-new", account: "acc-ana", limit: 2) == ["para ana", "agora"])
    }

    @Test(arguments: Kind.allCases)
    func accountsReloadAndDroppingOneClearsItsRights(_ kind: Kind) throws {
        let directory = Self.directory()
        let store = try Self.make(kind, directory: directory)
        let ana = AccountRecord(id: "acc-ana", name: "Ana", credential: "scrypt$h1", createdAt: Self.t0)
        let bia = AccountRecord(id: "acc-bia", name: "bia", credential: "scrypt$h2", createdAt: Self.t0.addingTimeInterval(1))
        store.record(.accountSaved(ana))
        store.record(.accountSaved(bia))
        store.record(.roomCreated(RoomRecord(name: "cafe", createdBy: "Ana", createdAt: Self.t0, owner: "acc-ana")))
        store.record(.moderatorAdded(room: "cafe", account: "acc-bia"))
        store.record(.roomCreated(RoomRecord(name: "jogos", createdBy: "bia", createdAt: Self.t0.addingTimeInterval(2),
                                             owner: "acc-bia")))
        store.record(.moderatorAdded(room: "jogos", account: "acc-ana"))
        var changed = bia
        changed.credential = "scrypt$h3"
        changed.isAdmin = true
        store.record(.accountSaved(changed))
        store.record(.accountDeleted(id: "acc-ana"))
        store.record(.banAdded(room: "jogos", BanRecord(name: "caio", address: nil, account: "acc-caio", bannedBy: "bia",
                                                         time: Self.t0)))
        store.flush()
        let reopened = kind == .sqlite ? try SQLiteStorage(directory: directory) : store
        let state = try reopened.load()
        #expect(state.accounts == [changed])
        #expect(state.rooms.map(\.name) == ["cafe", "jogos"])
        let cafe = try #require(state.rooms.first { $0.name == "cafe" })
        let jogos = try #require(state.rooms.first { $0.name == "jogos" })
        #expect(cafe.owner == nil && cafe.moderators == ["acc-bia"])
        #expect(jogos.owner == "acc-bia" && jogos.moderators.isEmpty)
        #expect(jogos.bans.first?.account == "acc-caio")
    }

    @Test(arguments: Kind.allCases)
    func roomsBansAndCountersReload(_ kind: Kind) throws {
        let directory = Self.directory()
        let store = try Self.make(kind, directory: directory)
        store.record(.roomCreated(RoomRecord(name: "Jogos", createdBy: "ana", createdAt: Self.t0, owner: "acc-ana",
                                             moderators: ["acc-bia"])))
        store.record(.moderatorAdded(room: "jogos", account: "acc-caio"))
        store.record(.moderatorRemoved(room: "JOGOS", account: "acc-bia"))
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
        #expect(state.rooms.first?.owner == "acc-ana")
        #expect(state.rooms.first?.moderators == ["acc-caio"])
        #expect(state.rooms.first?.bans.map(\.name) == ["bia"])
        #expect(state.rooms.first?.bans.first?.address == "10.0.0.2")
        #expect(state.totalMessages == 3)
        #expect(state.messagesByUser == ["ana": 2, "bia": 1])
        #expect(state.firstMessageAt == Self.t0.addingTimeInterval(1))
    }

    @Test(arguments: Kind.allCases)
    func topicsReloadWithTheRoom(_ kind: Kind) throws {
        let directory = Self.directory()
        let store = try Self.make(kind, directory: directory)
        let first = TopicRecord(text: "na criação", setBy: "ana", time: Self.t0)
        let later = TopicRecord(text: "café às 10h", setBy: "bia", time: Self.t0.addingTimeInterval(5))
        store.record(.roomCreated(RoomRecord(name: "cafe", createdBy: "ana", createdAt: Self.t0, topic: first)))
        store.record(.roomCreated(RoomRecord(name: "jogos", createdBy: "ana", createdAt: Self.t0.addingTimeInterval(1))))
        store.record(.topicChanged(room: "JOGOS", later))
        store.record(.roomCreated(RoomRecord(name: "arte", createdBy: "ana", createdAt: Self.t0.addingTimeInterval(2),
                                             topic: first)))
        store.record(.topicChanged(room: "arte", nil))
        store.flush()
        let reopened = kind == .sqlite ? try SQLiteStorage(directory: directory) : store
        let rooms = try reopened.load().rooms
        #expect(rooms.map(\.topic) == [first, later, nil])
    }

    @Test(arguments: Kind.allCases)
    func roomSettingsReloadWithTheRoom(_ kind: Kind) throws {
        let directory = Self.directory()
        let store = try Self.make(kind, directory: directory)
        store.record(.roomCreated(RoomRecord(name: "cafe", createdBy: "ana", createdAt: Self.t0)))
        store.record(.roomCreated(RoomRecord(name: "jogos", createdBy: "ana", createdAt: Self.t0.addingTimeInterval(1))))
        store.record(.roomSettingsChanged(room: "JOGOS", RoomSettings(secret: true, openTopic: true)))
        store.record(.roomSettingsChanged(room: "jogos", RoomSettings(secret: true, openTopic: false, exceptions: ["bia", "jo*"])))
        store.flush()
        let reopened = kind == .sqlite ? try SQLiteStorage(directory: directory) : store
        #expect(try reopened.load().rooms.map(\.settings) == [RoomSettings(), RoomSettings(secret: true, exceptions: ["bia", "jo*"])])
    }

    /// An account's SSH keys come back with it, in the order added; a
    /// removed key stays removed, and a dropped account takes its keys along.
    @Test(arguments: Kind.allCases)
    func accountKeysReloadWithTheAccount(_ kind: Kind) throws {
        let directory = Self.directory()
        let store = try Self.make(kind, directory: directory)
        let k1 = AccountKey(fingerprint: "SHA256:um", publicKey: "ssh-ed25519 UM", addedAt: Self.t0)
        let k2 = AccountKey(fingerprint: "SHA256:dois", publicKey: "ecdsa-sha2-nistp256 DOIS", addedAt: Self.t0.addingTimeInterval(1))
        let ana = AccountRecord(id: "a", name: "ana", credential: "scrypt$x", createdAt: Self.t0, keys: [k1])
        let bia = AccountRecord(id: "b", name: "bia", credential: "scrypt$y", createdAt: Self.t0, keys: [k2])
        store.record(.accountSaved(ana))
        store.record(.accountSaved(bia))
        store.record(.accountKeyAdded(account: "a", k2))
        store.record(.accountKeyAdded(account: "a", k2))
        store.record(.accountKeyRemoved(account: "a", fingerprint: "SHA256:um"))
        store.record(.accountDeleted(id: "b"))
        store.flush()
        let reopened = kind == .sqlite ? try SQLiteStorage(directory: directory) : store
        #expect(try reopened.load().accounts.map(\.keys) == [[k2]])
        if kind == .sqlite {
            store.record(.accountSaved(bia))
            store.flush()
            #expect(try SQLiteStorage(directory: directory).load().accounts.map(\.keys) == [[k2], [k2]],
                    "a new account of a dropped one's id starts with only its own keys")
        }
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
                return Self.message("só para a bia \(i) 🎉", recipient: "bia", from: "s1", to: "s2",
                                    accounts: i % 2 == 0 ? ("acc-1", nil) : (nil, "acc-2"), at: at)
            }
            let text = i == 7 ? "" : "ação \(i) \u{202E}x"
            return Self.message(text, sender: "ção", at: at)
        }
        for m in recorded { store.record(.message(m)) }
        store.flush()
        let reopened = try SQLiteStorage(directory: directory)
        let box = MessagesBox()
        let done = DispatchSemaphore(value: 0)
        reopened.history(room: "geral", viewer: HistoryViewer(session: "s1"), limit: 200) { box.messages = $0; done.signal() }
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
