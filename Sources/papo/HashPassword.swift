import ArgumentParser
import BotEngine
import Foundation

/// `papo hash-password`: prints the line to keep in the admin password file
/// (or in PAPO_ADMIN_PASSWORD) so the server never stores the password.
struct HashPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Print the scrypt hash of an admin password, for --admin-password-file.",
        discussion: "Reads the password from the terminal without echo, or the first line of standard input.")

    func run() throws {
        let password: String?
        if isatty(STDIN_FILENO) != 0 {
            password = getpass("Senha de administrador: ").map { String(cString: $0) }
        } else {
            password = readLine(strippingNewline: true)
        }
        guard let password, !password.isEmpty else { throw ValidationError("no password given") }
        print(try PasswordHash.hashing(password).storedForm)
    }
}
