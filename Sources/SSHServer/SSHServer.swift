import BotEngine
import ChatServer
import Logging
import NIOCore
import NIOPosix
import NIOSSH

/// The SSH front end: `ssh -p 2222 ana@host` and you are chatting. A
/// listener beside `PapoServer`'s, on its event loops and under its
/// connection limits, whose sessions speak to the same `ChatEngine`
/// (docs/SSH.md). Built on swift-nio-ssh; only `session` channels open.
public final class SSHServer: @unchecked Sendable {
    public let config: SSHConfig
    private let engine: ChatEngine
    private let frontEnd: FrontEndContext
    private let logger: Logger
    private let hostKey: NIOSSHPrivateKey
    private var listener: Channel?

    /// Loads (or makes, the first time) the host key: an unreadable key
    /// file throws here, before anything listens.
    public init(engine: ChatEngine, config: SSHConfig, frontEnd: FrontEndContext, logger: Logger) throws {
        self.engine = engine
        self.config = config
        self.frontEnd = frontEnd
        self.logger = logger
        hostKey = try HostKeyFile.loadOrCreate(at: config.hostKeyPath)
    }

    /// The host key as OpenSSH shows it: `ssh-ed25519 AAAA…` and `SHA256:…`.
    public var hostKeyDescription: (line: String, fingerprint: String) { HostKeyFile.describe(hostKey.publicKey) }

    /// Binds and starts accepting; returns the bound port.
    @discardableResult
    public func start() async throws -> Int {
        let engine = self.engine, config = self.config, frontEnd = self.frontEnd, logger = self.logger
        let hostKey = self.hostKey
        let naming = frontEnd.config.namingTimeout
        let bootstrap = frontEnd.bootstrap()
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let state = SSHConnectionState(address: channel.remoteAddress?.ipAddress)
                    var server = SSHServerConfiguration(
                        hostKeys: [hostKey],
                        userAuthDelegate: SSHAuthenticator(engine: engine, config: config, state: state),
                        banner: .init(message: config.banner, languageTag: "pt-BR"))
                    server.maxAuthAttempts = config.maxAuthAttempts
                    // A connection that opens no session in time (never finishes the handshake,
                    // never authenticates) is closed, as a client that never picks a name is.
                    channel.eventLoop.scheduleTask(in: naming) {
                        if state.sessions == 0 { channel.close(promise: nil) }
                    }
                    let handler = NIOSSHHandler(role: .server(server), allocator: channel.allocator) { child, type in
                        guard case .session = type, state.sessions == 0, state.identity != nil else {
                            return child.eventLoop.makeFailedFuture(SSHServer.Refused())
                        }
                        state.sessions += 1
                        return child.eventLoop.makeCompletedFuture {
                            let session = SSHSession(engine: engine, frontEnd: frontEnd, state: state, logger: logger)
                            let pipeline = child.pipeline.syncOperations
                            try pipeline.addHandler(session)
                            if let flood = frontEnd.config.flood { try pipeline.addHandler(FloodGate(limits: flood)) }
                            try pipeline.addHandler(SSHLineSink(session: session))
                        }
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                    try channel.pipeline.syncOperations.addHandler(SSHErrorHandler(logger: logger))
                }
            }
        let channel = try await bootstrap.bind(host: config.host, port: config.port).get()
        listener = channel
        let port = channel.localAddress?.port ?? config.port
        let key = hostKeyDescription
        logger.info("Papo SSH listening on \(config.host):\(port), host key \(key.fingerprint) (\(key.line))")
        return port
    }

    /// Stops accepting; the sessions close with `PapoServer.shutdown`.
    public func stop() async {
        try? await listener?.close()
    }

    /// A channel other than one `session` per connection.
    struct Refused: Error {}
}

/// Closes a connection whose SSH layer failed (a bad packet, a dropped handshake).
final class SSHErrorHandler: ChannelInboundHandler {
    typealias InboundIn = Any
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("SSH connection error: \(error)")
        context.close(promise: nil)
    }
}
