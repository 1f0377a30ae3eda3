import BotEngine
import ChatCore
import ChatStore
import Foundation
import Testing

/// Keys as accounts keep them, and the rules SSH authentication applies
/// (docs/SSH.md): a registered name only with one of its account's keys.
@Suite("SSH keys of accounts") struct SSHKeyTests {
    /// Made with ssh-keygen; `ssh-keygen -l` printed these fingerprints.
    static let anaLine = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAING3MWv7eVQh83kljLjOpQfmaAUXexU2qlkZtH1hgHHp root@vm"
    static let anaFingerprint = "SHA256:gWW19ikTvishTHaTjP8Y+Aqvr+H0OAam737x+tJEta8"
    static let otherLine = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHPEnsJCKFnNk/40I34fh6KIyya6ZGBaeAXWRvzr4H8U"
    static let otherFingerprint = "SHA256:W/zw6jX8T00ja38AtPW+R7AXuEqgNkt3bKSiuMCxtrI"
    static let ecdsaLine = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBD98cvjEWxxxoq/KSfgZTBaoDMqH+prM/9MQnkgkzXo2HgEb3L+GCGFP9oKCfe3qfryBtnPeUt+WecOqHgqn0V8="
    static let ecdsaFingerprint = "SHA256:It51JLXJeo8//xROlh7g/SBfzExmYwngAKQnKIJg9Sc"

    static func key(_ line: String) -> AccountKey { try! SSHKeyLine.parse(line, at: ManualClock.start).get() }

    @Test(arguments: [(anaLine, anaFingerprint), (otherLine, otherFingerprint), (ecdsaLine, ecdsaFingerprint)])
    func fingerprintsAreOpenSSHs(_ line: String, _ fingerprint: String) throws {
        let key = try SSHKeyLine.parse(line, at: ManualClock.start).get()
        #expect(key.fingerprint == fingerprint)
        #expect(!key.publicKey.contains("root@vm"), "the comment is not kept")
    }

    @Test(arguments: [
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCk8pRKNwANHpyhLWSJ5z2e",
        "ssh-ed25519",
        "ssh-ed25519 não-é-base64!",
        "ssh-ed25519 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBD98cvjEWxxxoq",
        "",
    ])
    func otherLinesAreRefused(_ line: String) {
        #expect(throws: ChatError.self) { try SSHKeyLine.parse(line, at: ManualClock.start).get() }
    }

    static let anaWithKey: PersistedState = {
        var ana = TestAccounts.record("ana")
        ana.keys = [key(anaLine)]
        return PersistedState(accounts: [ana, TestAccounts.record("bia")])
    }()

    static func login(_ name: String) -> KeyLogin {
        .account(VerifiedLogin(accountID: TestAccounts.id(name), credential: TestAccounts.record(name).credential), name: name)
    }

    @Test(arguments: [
        ("a registered name with its key", "ana", anaFingerprint, login("ana")),
        ("its name in another case", "ANA", anaFingerprint, login("ana")),
        ("a registered name with another key", "ana", otherFingerprint, .wrongKey(name: "ana")),
        ("a registered name with no key", "ana", nil, .wrongKey(name: "ana")),
        ("an account without keys", "bia", anaFingerprint, .wrongKey(name: "bia")),
        ("a look-alike of a registered name", "аna", anaFingerprint, .wrongKey(name: "ana")),
        ("a free name with any key", "caio", otherFingerprint, .guest),
        ("a free name with none", "caio", nil, .guest),
    ] as [(String, String, String?, KeyLogin)])
    func authenticationRules(_ row: String, _ name: String, _ fingerprint: String?, _ expected: KeyLogin) throws {
        let h = try ChatHarness(state: Self.anaWithKey)
        #expect(h.engine.withChat { $0.keyLogin(name: name, fingerprint: fingerprint) } == expected, "\(row)")
    }

    @Test func aRemovedKeyNoLongerLogsIn() throws {
        let h = try ChatHarness(state: Self.anaWithKey)
        try h.connect("ana")
        #expect(h.run("ana", "/chaves remover SHA256:gWW19ikTvis")?.text == "Chave \(Self.anaFingerprint) removida: ela não entra mais na sua conta.")
        #expect(h.engine.withChat { $0.keyLogin(name: "ana", fingerprint: Self.anaFingerprint) } == .wrongKey(name: "ana"))
        #expect((try h.storage.load()).accounts.first?.keys == [])
    }

    @Test func theSessionsKeyIsOfferedAndAdded() throws {
        let h = try ChatHarness(state: PersistedState(accounts: [TestAccounts.record("ana")]))
        try h.connect("ana")
        let id = try #require(h.id("ana"))
        h.engine.withChat { $0.setOfferedKey(Self.key(Self.otherLine), for: id) }
        #expect(h.run("ana", "/chaves")?.text == """
            Sua conta não tem chaves SSH: entre por SSH com a sua chave e use /chaves adicionar.
            Esta sessão entrou com a chave \(Self.otherFingerprint), que não é da conta: /chaves adicionar a guarda.
            """)
        #expect(h.run("ana", "/chaves adicionar")?.text == "Chave \(Self.otherFingerprint) adicionada: ela entra na sua conta por SSH sem senha.")
        #expect(h.run("ana", "/keys add")?.text == "A chave \(Self.otherFingerprint) já é da sua conta.")
        #expect(h.run("ana", "/chaves adicionar \(Self.ecdsaLine) ana@laptop")?.error == nil)
        let listing = try #require(h.run("ana", "/chaves")?.text)
        #expect(listing.hasPrefix("Chaves SSH da sua conta (2):\n  \(Self.otherFingerprint) ssh-ed25519 (desde "))
        #expect(listing.contains("\(Self.ecdsaFingerprint) ecdsa-sha2-nistp256"))
        #expect((try h.storage.load()).accounts.first?.keys.map(\.fingerprint) == [Self.otherFingerprint, Self.ecdsaFingerprint])
        #expect(h.engine.withChat { $0.keyLogin(name: "ana", fingerprint: Self.ecdsaFingerprint) } == Self.login("ana"))
    }

    @Test func registeringFromSSHGivesTheKeyToTheAccount() throws {
        let h = try ChatHarness()
        try h.connect("caio")
        let id = try #require(h.id("caio"))
        h.engine.withChat { $0.setOfferedKey(Self.key(Self.anaLine), for: id) }
        #expect(h.run("caio", "/registrar senha-longa")?.error == nil)
        #expect((try h.storage.load()).accounts.first?.keys.map(\.fingerprint) == [Self.anaFingerprint])
        guard case .account(_, let name) = h.engine.withChat({ $0.keyLogin(name: "caio", fingerprint: Self.anaFingerprint) }) else {
            Issue.record("the key should log caio in")
            return
        }
        #expect(name == "caio")
    }

    @Test(arguments: [
        ("a guest has no keys", [String](), "/chaves", ChatError.notIdentified),
        ("no key to add outside SSH", ["ana"], "/chaves adicionar",
         .missingArgument(usage: "/chaves adicionar <chave pública>, ou entre por SSH com a chave")),
        ("an RSA key", ["ana"], "/chaves adicionar ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCk8pRKNwANHpyhLWSJ5z2e",
         .badRequest("o Papo aceita chaves ed25519 e ecdsa, não ssh-rsa: crie uma com ssh-keygen -t ed25519")),
        ("a fingerprint of no key", ["ana"], "/chaves remover SHA256:nada",
         .badRequest("nenhuma chave da sua conta (ou mais de uma) tem a impressão SHA256:nada: veja /chaves")),
        ("an unknown verb", ["ana"], "/chaves trocar",
         .missingArgument(usage: "/chaves [adicionar [chave] | remover <impressão>]")),
    ] as [(String, [String], String, ChatError)])
    func badUsesGetClearErrors(_ row: String, _ accounts: [String], _ line: String, _ error: ChatError) throws {
        let h = try ChatHarness(state: PersistedState(accounts: accounts.map { TestAccounts.record($0) }))
        try h.connect("ana")
        #expect(h.run("ana", line)?.error == error, "\(row)")
    }

    @Test func anAccountHoldsTenKeysAtMost() throws {
        let h = try ChatHarness(state: PersistedState(accounts: [TestAccounts.record("ana")]))
        try h.connect("ana")
        let id = try #require(h.id("ana"))
        for i in 0..<AccountKey.maxPerAccount {
            let key = AccountKey(fingerprint: "SHA256:k\(i)", publicKey: "ssh-ed25519 K\(i)", addedAt: ManualClock.start)
            _ = try h.engine.withChat { try $0.addKey(key, for: id) }
        }
        #expect(h.run("ana", "/chaves adicionar \(Self.anaLine)")?.error
            == .badRequest("sua conta já tem 10 chaves: remova uma com /chaves remover"))
    }
}
