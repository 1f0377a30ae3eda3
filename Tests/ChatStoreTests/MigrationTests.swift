import ChatCore
import ChatStore
import Foundation
import Testing

/// `Fixtures/v2-data` is a data folder written by the Papo of before
/// accounts (schema v2, commit df3d141): `papo serve` driven over TCP —
/// ana said "bom dia a todos", created #cafe (a moderator by name), banned
/// bob there, whispered with bia, and opened a poll through enquete.lua.
/// Opening it now runs the accounts migration on a copy.
@Suite("Migration from the schema before accounts")
struct MigrationTests {
    static func copyOfFixture() throws -> URL {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/v2-data/papo.sqlite")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("papo-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source, to: directory.appendingPathComponent("papo.sqlite"))
        return directory
    }

    static func history(_ store: any ChatStorage, room: String, session: String) -> [StoredMessage] {
        final class Box: @unchecked Sendable { var messages: [StoredMessage] = [] }
        let box = Box(), done = DispatchSemaphore(value: 0)
        store.history(room: room, viewer: HistoryViewer(session: session), limit: 200) { box.messages = $0; done.signal() }
        done.wait()
        return box.messages
    }

    @Test func anOldDataFolderOpensWithItsHistoryRoomsModeratorsAndBans() throws {
        let directory = try Self.copyOfFixture()
        let store = try SQLiteStorage(directory: directory)
        let state = try store.load()
        #expect(state.accounts.isEmpty)
        #expect(state.rooms.map(\.name) == ["geral", "cafe"])
        let cafe = try #require(state.rooms.last)
        #expect(cafe.createdBy == "ana")
        // The old moderator, by name: kept and shown, granting nothing.
        #expect(cafe.legacyModerators == ["ana"])
        #expect(cafe.owner == nil && cafe.moderators.isEmpty)
        #expect(cafe.bans.map(\.name) == ["bob"])
        #expect(cafe.bans.first?.bannedBy == "ana")
        #expect(cafe.bans.first?.account == nil)
        // Rooms from before room settings (v6-room-settings) are neither secret nor open-topic.
        #expect(state.rooms.allSatisfy { $0.settings == RoomSettings() })
        #expect(state.totalMessages == 4)
        #expect(state.messagesByUser == ["ana": 2, "bob": 1, "bia": 1])
        // Bot values became JSON strings (v5-bot-values), the same text inside.
        let poll = try #require(try store.loadBotData()["enquete.lua"]?[BotValueKey(key: "enquete:cafe")])
        #expect(try JSONDecoder().decode(String.self, from: Data(poll.utf8)) == "Qual café?\nexpresso\ncoado")
        let geral = Self.history(store, room: "geral", session: "none").map(\.text)
        #expect(geral.contains("bom dia a todos"))
        #expect(Self.history(store, room: "cafe", session: "none").map(\.text).first == "cheguei no cafe")
        // Old private messages stay with the connections that exchanged them.
        let privateRows = Self.history(store, room: "nenhuma", session: "none")
        #expect(privateRows.isEmpty)
    }

    /// After the migration the new tables work on the old file, and a
    /// second open (the migration already applied) changes nothing.
    @Test func theMigratedFolderTakesAccountsAndReopens() throws {
        let directory = try Self.copyOfFixture()
        let store = try SQLiteStorage(directory: directory)
        let ana = AccountRecord(name: "ana", credential: "scrypt$x", createdAt: Date(timeIntervalSince1970: 1_900_000_000))
        store.record(.accountSaved(ana))
        store.record(.roomOwnerChanged(room: "cafe", owner: ana.id))
        store.record(.legacyModeratorRemoved(room: "cafe", name: "ANA"))
        store.record(.roomSettingsChanged(room: "cafe", RoomSettings(secret: true)))
        let key = AccountKey(fingerprint: "SHA256:abc", publicKey: "ssh-ed25519 AAAA", addedAt: ana.createdAt)
        store.record(.accountKeyAdded(account: ana.id, key))
        store.record(.message(StoredMessage(kind: .private, room: "geral", sender: "ana", recipient: "bia", text: "novo",
                                            time: ana.createdAt, senderSession: "s", senderAccount: ana.id)))
        store.flush()
        let reopened = try SQLiteStorage(directory: directory)
        let state = try reopened.load()
        var withKey = ana
        withKey.keys = [key]
        #expect(state.accounts == [withKey], "an account from a folder before SSH keys (v7) takes one")
        #expect(state.rooms.last?.owner == ana.id)
        #expect(state.rooms.last?.legacyModerators == [])
        #expect(state.rooms.last?.settings == RoomSettings(secret: true))
        #expect(state.rooms.last?.bans.map(\.name) == ["bob"])
        final class Box: @unchecked Sendable { var texts: [String] = [] }
        let box = Box(), done = DispatchSemaphore(value: 0)
        reopened.history(room: "x", viewer: HistoryViewer(session: "other", account: ana.id), limit: 10) {
            box.texts = $0.map(\.text)
            done.signal()
        }
        done.wait()
        #expect(box.texts == ["novo"])
    }
}
