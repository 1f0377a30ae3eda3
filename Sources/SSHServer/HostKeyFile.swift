import BotEngine
import Crypto
import Foundation
import NIOSSH

/// The server's Ed25519 host key, kept in the data folder so known_hosts
/// stays valid across restarts: the raw 32-byte seed in base64 (the library
/// cannot read OpenSSH key files), made once with mode 0600. A file that
/// exists but cannot be read or parsed is an error, never replaced.
enum HostKeyFile {
    struct Unusable: Error, CustomStringConvertible {
        var description: String
    }

    static func loadOrCreate(at path: String) throws -> NIOSSHPrivateKey {
        if FileManager.default.fileExists(atPath: path) {
            guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw Unusable(description: "cannot read the SSH host key \(path) (it is kept, not replaced: fix its permissions)")
            }
            guard let seed = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), seed.count == 32,
                  let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
                throw Unusable(description: "the SSH host key \(path) is not a base64 Ed25519 seed (it is kept, not replaced)")
            }
            return NIOSSHPrivateKey(ed25519Key: key)
        }
        let key = Curve25519.Signing.PrivateKey()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw Unusable(description: "cannot create the SSH host key \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let text = key.rawRepresentation.base64EncodedString() + "\n"
        let written = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, text.utf8.count) }
        guard written == text.utf8.count else { throw Unusable(description: "cannot write the SSH host key \(path)") }
        return NIOSSHPrivateKey(ed25519Key: key)
    }

    /// `ssh-ed25519 AAAA…` and `SHA256:…` of a key, as OpenSSH shows them.
    static func describe(_ key: NIOSSHPublicKey) -> (line: String, fingerprint: String) {
        let line = String(openSSHPublicKey: key)
        let fingerprint = (try? SSHKeyLine.parse(line, at: Date()).get())?.fingerprint ?? "?"
        return (line, fingerprint)
    }
}
