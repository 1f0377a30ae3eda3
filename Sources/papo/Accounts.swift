import ArgumentParser
import BotEngine
import ChatCore
import ChatStore
import Foundation

/// `papo accounts`: the operator's tools for the accounts in a data folder,
/// run with the server stopped (the folder's lock refuses them otherwise:
/// a running server reads accounts when it starts). Passwords come from
/// the terminal without echo, or from the first line of standard input.
struct Accounts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create accounts, reset passwords and grant admin rights, with the server stopped.",
        subcommands: [Create.self, ResetPassword.self, GrantAdmin.self, RevokeAdmin.self, Delete.self, List.self])

    struct Folder: ParsableArguments {
        @Option(help: "Folder of the SQLite database (as given to papo serve).")
        var data = "./papo-data"
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account (password from standard input).")
        @Argument(help: "The account's name.") var name: String
        @Flag(help: "Give the account admin rights.") var admin = false
        @OptionGroup var folder: Folder

        func run() throws {
            try AccountsFolder.change(folder.data) { state in
                let name = try NameRules.userName(self.name).get()
                if let clash = AccountsFolder.clash(with: name, in: state) {
                    throw AccountsFailure("the name \(name) is taken by the account \(clash.name)")
                }
                let account = AccountRecord(name: name, credential: try AccountsFolder.newCredential(), createdAt: Date(),
                                            isAdmin: admin)
                return ([.accountSaved(account)], "created the account \(name)\(admin ? " (admin)" : "")")
            }
        }
    }

    struct ResetPassword: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a new password (from standard input).")
        @Argument(help: "The account's name.") var name: String
        @OptionGroup var folder: Folder

        func run() throws {
            try AccountsFolder.change(folder.data) { state in
                var account = try AccountsFolder.find(name, in: state)
                account.credential = try AccountsFolder.newCredential()
                return ([.accountSaved(account)], "new password set for \(account.name)")
            }
        }
    }

    struct GrantAdmin: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give an existing account admin rights.")
        @Argument(help: "The account's name.") var name: String
        @OptionGroup var folder: Folder

        func run() throws { try AccountsFolder.setAdmin(true, name: name, folder: folder.data) }
    }

    struct RevokeAdmin: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take admin rights from an account.")
        @Argument(help: "The account's name.") var name: String
        @OptionGroup var folder: Folder

        func run() throws { try AccountsFolder.setAdmin(false, name: name, folder: folder.data) }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop an account (its rooms lose their owner).")
        @Argument(help: "The account's name.") var name: String
        @OptionGroup var folder: Folder

        func run() throws {
            try AccountsFolder.change(folder.data) { state in
                let account = try AccountsFolder.find(name, in: state)
                return ([.accountDeleted(id: account.id)], "dropped the account \(account.name)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts.")
        @OptionGroup var folder: Folder

        func run() throws {
            try AccountsFolder.change(folder.data) { state in
                for account in state.accounts {
                    print("\(account.name)\t\(ISO8601DateFormatter().string(from: account.createdAt))"
                          + (account.isAdmin ? "\tadmin" : ""))
                }
                return ([], "\(state.accounts.count) account(s)")
            }
        }
    }
}

/// A refusal, printed as one sentence.
struct AccountsFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Errors the store reports from its writer thread.
final class WriteFailures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []
    func add(_ error: Error) { lock.withLock { errors.append(error) } }
    var first: Error? { lock.withLock { errors.first } }
}

/// What the subcommands share: the folder's lock, its state, the password prompt.
enum AccountsFolder {
    /// Opens the folder (holding its lock), hands its state to `body`, writes the
    /// changes it returns, and prints its summary on standard error.
    static func change(_ path: String, _ body: (PersistedState) throws -> ([StorageChange], String)) throws {
        let directory = URL(fileURLWithPath: path)
        let lock = try DataFolderLock(directory: directory)
        let failures = WriteFailures()
        let storage = try SQLiteStorage(directory: directory) { failures.add($0) }
        let (changes, summary) = try body(try storage.load())
        for change in changes { storage.record(change) }
        storage.flush()
        withExtendedLifetime(lock) {}
        if let failure = failures.first { throw AccountsFailure("could not write to \(path): \(failure)") }
        FileHandle.standardError.write(Data((summary + "\n").utf8))
    }

    static func setAdmin(_ isAdmin: Bool, name: String, folder: String) throws {
        try change(folder) { state in
            var account = try find(name, in: state)
            account.isAdmin = isAdmin
            return ([.accountSaved(account)], "\(account.name) \(isAdmin ? "is an admin" : "is no longer an admin")")
        }
    }

    static func find(_ name: String, in state: PersistedState) throws -> AccountRecord {
        guard let account = state.accounts.first(where: { nameKey($0.name) == nameKey(name) }) else {
            throw AccountsFailure("there is no account named \(name)")
        }
        return account
    }

    /// The account a new one named `name` would clash with: the same name, or a look-alike.
    static func clash(with name: String, in state: PersistedState) -> AccountRecord? {
        state.accounts.first { nameKey($0.name) == nameKey(name) || NameRules.skeleton($0.name) == NameRules.skeleton(name) }
    }

    /// Reads a password (twice on a terminal) and returns its stored hash.
    static func newCredential() throws -> String {
        let password: String?
        if isatty(STDIN_FILENO) != 0 {
            password = getpass("Senha: ").map { String(cString: $0) }
            guard getpass("Outra vez: ").map({ String(cString: $0) }) == password else {
                throw AccountsFailure("the passwords differ")
            }
        } else {
            password = readLine(strippingNewline: true)
        }
        guard let password else { throw AccountsFailure("no password given") }
        do { try ChatEngine.checkNewPassword(password) } catch {
            throw AccountsFailure("a password needs \(ChatEngine.minPasswordLength) characters or more, "
                                  + "at most 1024 bytes and no control characters")
        }
        return try PasswordHash.hashing(password).storedForm
    }
}
