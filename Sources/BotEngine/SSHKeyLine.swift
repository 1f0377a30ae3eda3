import ChatCore
import Crypto
import Foundation

/// OpenSSH public key lines (`ssh-ed25519 AAAA… comment`): checked, kept
/// without the comment, and fingerprinted as `ssh-keygen -l` does
/// (`SHA256:` and the unpadded base64 of the SHA-256 of the key blob).
public enum SSHKeyLine {
    /// The key types the SSH front end (swift-nio-ssh) can verify: no RSA.
    public static let supportedTypes = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"]

    /// The key `line` names, added at `time`, or why it is refused.
    public static func parse(_ line: String, at time: Date) -> Result<AccountKey, ChatError> {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2, let blob = Data(base64Encoded: String(fields[1])), blob.count <= 1024 else {
            return .failure(.badRequest("isso não é uma chave pública do OpenSSH (ssh-ed25519 AAAA…)"))
        }
        let type = String(fields[0])
        guard supportedTypes.contains(type) else {
            return .failure(.badRequest("o Papo aceita chaves ed25519 e ecdsa, não \(type): crie uma com ssh-keygen -t ed25519"))
        }
        // The blob starts with its own type, as a length-prefixed string.
        guard blob.count > 4 else { return .failure(.badRequest("chave pública incompleta")) }
        let length = blob.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard length == type.utf8.count, blob.count >= 4 + length,
              String(decoding: blob.dropFirst(4).prefix(length), as: UTF8.self) == type else {
            return .failure(.badRequest("a chave não é do tipo que diz ser (\(type))"))
        }
        return .success(AccountKey(fingerprint: fingerprint(blob), publicKey: "\(type) \(fields[1])", addedAt: time))
    }

    /// `SHA256:` and the unpadded base64 of the blob's SHA-256.
    public static func fingerprint(_ blob: Data) -> String {
        var base64 = Data(SHA256.hash(data: blob)).base64EncodedString()
        while base64.hasSuffix("=") { base64.removeLast() }
        return "SHA256:" + base64
    }
}
