import NIOSSL

/// The server's certificate chain and private key, as PEM files.
public struct TLSFiles: Sendable {
    public var certificateChain: String
    public var privateKey: String

    public init(certificateChain: String, privateKey: String) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }
}

/// Optional TLS, from swift-nio-ssl: with it, passwords and private
/// messages do not cross the network in clear.
public enum TLS {
    /// The server side, from the files given to `papo serve`.
    static func serverContext(_ files: TLSFiles) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(files.certificateChain).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem)
        return try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
    }

    /// The client side: the system's trusted roots, or only the CA
    /// certificates in `caFile` (for a server with its own certificate).
    public static func clientContext(trusting caFile: String?) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile { configuration.trustRoots = .file(caFile) }
        return try NIOSSLContext(configuration: configuration)
    }

    /// The SNI and verification name for `host`: none for an IP address.
    public static func serverHostname(_ host: String) -> String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }
}
