import BotEngine
import ChatCore
import ChatStore
import Foundation
import Logging
import Testing

// Issue #11: logging in with a password, and what an account carries
// across connections (rooms, rights, bans, private history).

@Suite("Accounts across connections")
struct AccountLoginTests {
    @Test func aRegisteredNameNeedsItsPasswordAtLogin() throws {
        let h = try ChatHarness(state: doraRegistered)
        let endpoint = TestEndpoint("x")
        #expect(h.engine.connect(name: "dora", endpoint: endpoint, address: nil).failureCode == "password_required")
        #expect(h.engine.connect(name: "DORA", endpoint: endpoint, address: nil).failureCode == "password_required")
        #expect(h.connectResult("dora", password: "errada-123").failureCode == "wrong_password")
        // A look-alike is refused to a guest, with the account it looks like.
        #expect(h.engine.connect(name: "d\u{3BF}ra", endpoint: endpoint, address: nil)
                == .failure(.nameRegistered("d\u{3BF}ra", like: "dora")))
        let welcome = try h.connectResult("Dora").get()
        #expect(welcome.name == "dora" && welcome.account == "dora")
        #expect(h.connectedNames() == ["dora"])
    }

    @Test func aPasswordWithAnUnregisteredNameIsIgnored() throws {
        let h = try ChatHarness()
        let welcome = try h.connectResult("ana", password: "qualquer-coisa").get()
        #expect(welcome.account == nil)
        #expect(h.run("ana", "/conta")?.text.contains("Você é convidado") == true)
    }

    @Test func loggingInAgainReplacesTheGhostSession() throws {
        let h = try ChatHarness(state: doraRegistered)
        try h.connect("bia")
        let first = try h.connectResult("dora").get().id
        let firstEndpoint = try #require(h.endpoint("dora"))
        let second = try h.connectResult("dora").get().id
        #expect(first != second)
        #expect(h.outbox.wasDisconnected(firstEndpoint))
        #expect(h.outbox.replies(for: firstEndpoint).last?.error == .sessionReplaced)
        #expect(h.engine.withChat { $0.name(of: first) } == nil)
        #expect(h.connectedNames() == ["bia", "dora"])
    }

    @Test func registeringKeepsOnlyAHashAndMakesTheGuestsRoomsTheAccounts() throws {
        let h = try ChatHarness()
        try h.connect("ana")
        try h.connect("bia")
        try h.perform(["ana> /entrar dev", "bia> /entrar dev", "ana> /registrar minha-senha-secreta"])
        let account = try #require(try h.storage.load().accounts.first)
        #expect(account.name == "ana")
        #expect(account.credential.hasPrefix("scrypt$"))
        #expect(!account.credential.contains("minha-senha-secreta"))
        #expect(try PasswordHash(stored: account.credential).verify("minha-senha-secreta"))
        #expect(try h.storage.load().rooms.last?.owner == account.id)
        #expect(!h.storage.allMessages.contains { $0.text.contains("minha-senha-secreta") })
        // After a reconnect the owner moderates #dev again, and only with the password.
        try h.perform(["ana> /sair", "bia> /entrar geral"])
        #expect(h.connectResult("ana", password: "errada-123").failureCode == "wrong_password")
        try h.connect("ana", password: "minha-senha-secreta")
        try h.perform(["ana> /entrar dev", "bia> /entrar dev", "ana> /banir bia"])
        #expect(h.room(of: "bia") == "geral")
    }

    @Test func theRoomsRightsComeBackAfterARestartAndBelongToNobodyElse() throws {
        let first = try ChatHarness(state: threeAccounts)
        try first.connect("ana")
        try first.perform(["ana> /entrar dev"])
        let saved = try first.storage.load()
        let h = try ChatHarness(state: saved)
        try h.connect("zed")
        try h.connect("bia")
        try h.perform(["zed> /entrar dev", "bia> /entrar dev"])
        #expect(h.role(of: "zed") == .user && h.role(of: "bia") == .user)
        try h.connect("ana")
        try h.perform(["ana> /entrar dev", "ana> /expulsar zed"])
        #expect(h.room(of: "zed") == "geral")
        #expect(h.role(of: "ana") == .moderator)
    }

    @Test func aBanFollowsTheAccountToItsNextConnection() throws {
        let h = try ChatHarness(state: threeAccounts)
        try h.connect("ana")
        try h.connect("bia")
        try h.perform(["ana> /entrar dev", "bia> /entrar dev", "ana> /banir bia", "bia> /sair"])
        try h.connect("bia")
        #expect(h.run("bia", "/entrar dev")?.error == .bannedFromRoom("dev"))
        // A guest on another name may enter (the address is loopback here),
        // and is moved out as soon as they identify as the banned account.
        try h.connect("zed")
        try h.perform(["bia> /sair", "zed> /entrar dev", "zed> /identificar bia senha-de-bia"])
        #expect(h.room(of: "zed") == "geral")
        #expect(h.name(of: "zed") == "bia")
    }

    @Test func anAccountSeesItsPrivateHistoryOnItsNextConnectionAndNobodyElseDoes() throws {
        let h = try ChatHarness(state: threeAccounts)
        try h.connect("ana")
        try h.connect("zed")
        try h.perform(["ana> /privado zed segredo da ana", "zed> /privado ana resposta do zed", "ana> /sair", "zed> /sair"])
        try h.connect("ana")
        try h.connect("zed")
        let ana = try #require(h.run("ana", "/historico"))
        #expect(ana.items.compactMap(\.text) == ["segredo da ana", "resposta do zed"])
        // zed was a guest: the new zed is nobody the history knows.
        let zed = try #require(h.run("zed", "/historico"))
        #expect(zed.items.isEmpty)
        // Another account never sees them.
        try h.connect("bia")
        #expect(h.run("bia", "/historico")?.items.isEmpty == true)
    }

    @Test func aDroppedAccountsNameIsFreeAndItsHistoryStaysWithTheOldAccount() throws {
        let h = try ChatHarness(state: threeAccounts)
        try h.connect("ana")
        try h.connect("caio")
        try h.connect("bia")
        try h.perform(["ana> /privado bia só para bia", "caio> /conta apagar bia", "bia> /sair"])
        try h.connect("bia")
        try h.perform(["bia> /registrar outra-pessoa"])
        #expect(h.run("bia", "/historico")?.items.isEmpty == true)
    }

    @Test func aChangedPasswordIsTheOnlyOneThatWorks() throws {
        let h = try ChatHarness(state: threeAccounts)
        try h.connect("ana")
        try h.perform(["ana> /senha senha-de-ana senha-nova-da-ana", "ana> /sair"])
        #expect(h.connectResult("ana").failureCode == "wrong_password")
        try h.connect("ana", password: "senha-nova-da-ana")
        #expect(h.name(of: "ana") == "ana")
    }

    /// Every wrong password is logged, with the name and the address, and
    /// never with the password.
    @Test func wrongPasswordsAreLoggedWithoutThePassword() throws {
        let records = LogRecords()
        let logger = Logger(label: "test") { _ in RecordingLogHandler(records: records) }
        let outbox = RecordingOutbox()
        let chat = try Chat(storage: MemoryStorage(state: doraRegistered), outbox: outbox)
        let engine = ChatEngine(chat: chat, adminPassword: TestPassword.stored("segredo"), logger: logger,
                                checkPasswordsInPlace: true, passwordLogRounds: 10)
        let endpoint = TestEndpoint("ana")
        let ana = try engine.connect(name: "ana", endpoint: endpoint, address: "10.1.2.3").get().id
        engine.handle(line: "/identificar dora segredo-errado-42", from: ana)
        engine.handle(line: "/admin outro-segredo-43", from: ana)
        engine.connect(name: "dora", password: "terceiro-segredo-44", endpoint: TestEndpoint("x"), address: "10.1.2.4",
                       welcomed: { _ in }, completion: { _ in })
        let lines = records.lines
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.contains("wrong") })
        #expect(lines.contains { $0.contains("dora") && $0.contains("10.1.2.3") })
        #expect(lines.contains { $0.contains("10.1.2.4") })
        #expect(!lines.contains { $0.contains("segredo-errado-42") || $0.contains("outro-segredo-43")
                                  || $0.contains("terceiro-segredo-44") })
    }
}

extension Result where Failure == ChatError {
    var failureCode: String? {
        if case .failure(let error) = self { return error.code }
        return nil
    }
}

extension ChatHarness {
    @discardableResult
    func connect(_ name: String, password: String) throws -> UserID {
        try connectResult(name, password: password).get().id
    }
}

/// Log lines, with their metadata, as one string each.
final class LogRecords: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.withLock { stored } }
    func append(_ line: String) { lock.withLock { stored.append(line) } }
}

struct RecordingLogHandler: LogHandler {
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        records.append("\(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    }
}

@Suite("Guest rooms and accounts")
struct GuestRoomTests {
    /// A guest's room handed on by an admin stays with the new owner, even
    /// if the guest registers afterwards.
    @Test func registeringDoesNotTakeBackARoomThatWasHandedOn() throws {
        let h = try ChatHarness(state: threeAccounts)
        try h.connect("gus")
        try h.connect("caio")
        try h.perform(["gus> /entrar sala", "caio> /entrar sala", "caio> /moderador ana", "gus> /registrar senha-do-gus"])
        #expect(h.role(of: "gus") == .user)
        #expect(h.run("gus", "/expulsar caio")?.error == .notModerator("sala"))
        let room = try #require(try h.storage.load().rooms.first { $0.name == "sala" })
        #expect(room.owner == TestAccounts.id("ana") && room.moderators.isEmpty)
    }
}
