import Crypto
import Foundation
import _CryptoExtras

/// A password as the server keeps it (the admin password, and each
/// account's): an scrypt key and its own random salt, never the password
/// itself. The stored form is `scrypt$<log2 N>$<r>$<p>$<salt>$<key>`
/// (base64); `papo hash-password` prints it for the admin password file,
/// and a file that holds a plain password instead is hashed at start.
public struct PasswordHash: Sendable {
    let logRounds: Int
    let blockSize: Int
    let parallelism: Int
    let salt: [UInt8]
    let key: [UInt8]

    /// The stored form is malformed.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public static let prefix = "scrypt$"
    /// 2^14 rounds with r = 8: 16 MiB and tens of milliseconds per check.
    public static let defaultLogRounds = 14
    /// The costs a stored form may name (log2 of scrypt's N).
    static let allowedLogRounds = 10...20
    /// The cheapest: for tests, which make many hashes and only need them to work.
    public static let cheapestLogRounds = allowedLogRounds.lowerBound
    /// Longer attempts are refused unhashed (a line holds at most a few KiB).
    static let maxPasswordBytes = 1024

    /// Reads a stored form, or hashes a plain password.
    public init(stored: String) throws {
        guard stored.hasPrefix(Self.prefix) else {
            self = try Self.hashing(stored, logRounds: Self.defaultLogRounds)
            return
        }
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, let logRounds = Int(parts[1]), Self.allowedLogRounds.contains(logRounds),
              let blockSize = Int(parts[2]), (1...16).contains(blockSize),
              let parallelism = Int(parts[3]), (1...4).contains(parallelism),
              let salt = Data(base64Encoded: String(parts[4])), salt.count >= 16,
              let key = Data(base64Encoded: String(parts[5])), key.count == 32 else {
            throw Invalid(description: "not a valid scrypt$<log2 N>$<r>$<p>$<salt>$<key> password hash")
        }
        self.init(logRounds: logRounds, blockSize: blockSize, parallelism: parallelism, salt: Array(salt),
                  key: Array(key))
    }

    init(logRounds: Int, blockSize: Int, parallelism: Int, salt: [UInt8], key: [UInt8]) {
        self.logRounds = logRounds
        self.blockSize = blockSize
        self.parallelism = parallelism
        self.salt = salt
        self.key = key
    }

    /// A new credential for `password`, with a fresh random salt.
    public static func hashing(_ password: String, logRounds: Int = defaultLogRounds) throws -> PasswordHash {
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        let key = try derive(password, salt: salt, logRounds: logRounds, blockSize: 8, parallelism: 1)
        return PasswordHash(logRounds: logRounds, blockSize: 8, parallelism: 1, salt: salt, key: key)
    }

    /// The stored form of `password` at the cheapest cost allowed: for
    /// tests and `papo bots test`, which build many engines and only need
    /// the password to work, never for a real server.
    public static func cheaplyStored(_ password: String) -> String {
        // Cannot fail: the cost is within the allowed range.
        try! hashing(password, logRounds: cheapestLogRounds).storedForm
    }

    /// The line to keep in the admin password file.
    public var storedForm: String {
        "\(Self.prefix)\(logRounds)$\(blockSize)$\(parallelism)$\(Data(salt).base64EncodedString())$"
            + Data(key).base64EncodedString()
    }

    /// True when `attempt` is the password. Slow on purpose: never call it
    /// while holding the chat's lock. The keys are compared in constant time.
    public func verify(_ attempt: String) -> Bool {
        guard attempt.utf8.count <= Self.maxPasswordBytes,
              let derived = try? Self.derive(attempt, salt: salt, logRounds: logRounds, blockSize: blockSize,
                                             parallelism: parallelism) else { return false }
        return SymmetricKey(data: derived) == SymmetricKey(data: key)
    }

    private static func derive(_ password: String, salt: [UInt8], logRounds: Int, blockSize: Int,
                               parallelism: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(from: Array(password.utf8), salt: salt, outputByteCount: 32,
                                           rounds: 1 << logRounds, blockSize: blockSize, parallelism: parallelism)
        return key.withUnsafeBytes { Array($0) }
    }
}
