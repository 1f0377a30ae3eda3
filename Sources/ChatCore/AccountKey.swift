import Foundation

/// A public key that logs an account in over SSH without its password:
/// the OpenSSH line (`ssh-ed25519 AAAA…`, no comment) and its `SHA256:`
/// fingerprint, as `ssh-keygen -l` prints it.
public struct AccountKey: Sendable, Equatable {
    public var fingerprint: String
    public var publicKey: String
    public var addedAt: Date
    public init(fingerprint: String, publicKey: String, addedAt: Date) {
        self.fingerprint = fingerprint
        self.publicKey = publicKey
        self.addedAt = addedAt
    }

    /// Keys an account holds at most.
    public static let maxPerAccount = 10
}

/// What a name and a public key are worth at SSH authentication.
public enum KeyLogin: Sendable, Equatable {
    /// The name is an account's, and the key one of its keys.
    case account(VerifiedLogin, name: String)
    /// The name is an account's, and the key is not one of its keys.
    case wrongKey(name: String)
    /// Nobody registered the name (nor a look-alike): a guest may take it.
    case guest
}

extension Chat {
    /// Whether `name` may log in with the key `fingerprint` (nil: none).
    public func keyLogin(name: String, fingerprint: String?) -> KeyLogin {
        let clean = name.trimmingSpaces
        guard let account = account(named: clean)
                ?? accountIDsBySkeleton[NameRules.skeleton(clean)].flatMap({ accounts[$0] }) else { return .guest }
        guard let fingerprint, nameKey(account.name) == nameKey(clean),
              account.keys.contains(where: { $0.fingerprint == fingerprint }) else {
            return .wrongKey(name: account.name)
        }
        return .account(VerifiedLogin(accountID: account.id, credential: account.credential), name: account.name)
    }

    /// The keys of the caller's account, oldest first.
    public func keys(of id: UserID) throws -> [AccountKey] {
        guard let account = account(of: id) else { throw ChatError.notIdentified }
        return account.keys
    }

    /// The key this connection logged in with over SSH, if any.
    public func offeredKey(of id: UserID) -> AccountKey? {
        users[id]?.offeredKey
    }

    /// Records the key the connection `id` authenticated with (the SSH front
    /// end calls it once the user is in), so `/registrar` and `/chaves
    /// adicionar` can give it to the account.
    public func setOfferedKey(_ key: AccountKey, for id: UserID) {
        users[id]?.offeredKey = key
    }

    /// Adds `key` to the caller's account; false when it was there already.
    @discardableResult
    public func addKey(_ key: AccountKey, for id: UserID) throws -> Bool {
        guard var account = account(of: id) else { throw ChatError.notIdentified }
        if account.keys.contains(where: { $0.fingerprint == key.fingerprint }) { return false }
        guard account.keys.count < AccountKey.maxPerAccount else { throw ChatError.badRequest("sua conta já tem \(AccountKey.maxPerAccount) chaves: remova uma com /chaves remover") }
        account.keys.append(key)
        accounts[account.id] = account
        storage.record(.accountKeyAdded(account: account.id, key))
        return true
    }

    /// Removes the key of the caller's account whose fingerprint is
    /// `fingerprint` or starts with it (unambiguously); returns it.
    @discardableResult
    public func removeKey(matching fingerprint: String, for id: UserID) throws -> AccountKey {
        guard var account = account(of: id) else { throw ChatError.notIdentified }
        let wanted = fingerprint.trimmingSpaces
        let full = wanted.hasPrefix("SHA256:") ? wanted : "SHA256:" + wanted
        let matches = account.keys.filter { $0.fingerprint == full || (full.count >= 12 && $0.fingerprint.hasPrefix(full)) }
        guard matches.count == 1, let key = matches.first else { throw ChatError.badRequest("nenhuma chave da sua conta (ou mais de uma) tem a impressão \(wanted): veja /chaves") }
        account.keys.removeAll { $0.fingerprint == key.fingerprint }
        accounts[account.id] = account
        storage.record(.accountKeyRemoved(account: account.id, fingerprint: key.fingerprint))
        return key
    }
}
