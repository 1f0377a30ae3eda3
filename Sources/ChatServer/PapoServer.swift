import BotEngine
import ChatCore
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// The TCP front end: listens, frames lines with limits, and runs one
/// `SessionHandler` per connection against the shared `ChatEngine`.
public final class PapoServer: @unchecked Sendable {
    public let engine: ChatEngine
    public let config: ServerConfig
    private let group: EventLoopGroup
    private let ownsGroup: Bool
    private let logger: Logger
    private let registry: ConnectionRegistry
    private let outputs: LoopOutputs
    private var listener: Channel?

    /// The outbox to build the `Chat` with, so its output reaches these
    /// sockets only once what it reports is stored (see `DurableOutbox`).
    public static func makeOutbox(storage: any ChatStorage) -> any Outbox { DurableOutbox(storage: storage) }

    public init(engine: ChatEngine, config: ServerConfig, group: EventLoopGroup? = nil, logger: Logger) {
        self.engine = engine
        self.config = config
        self.ownsGroup = group == nil
        let group = group ?? MultiThreadedEventLoopGroup(numberOfThreads: config.threads)
        self.group = group
        self.outputs = LoopOutputs(group: group)
        self.registry = ConnectionRegistry(maxConnections: config.maxConnections,
                                           maxPerAddress: config.maxConnectionsPerAddress)
        self.logger = logger
    }

    /// Binds and starts accepting; returns the bound port (useful with port 0).
    @discardableResult
    public func start() async throws -> Int {
        let engine = self.engine, config = self.config, registry = self.registry, logger = self.logger
        let tls = try config.tls.map(TLS.serverContext)
        let outputs = self.outputs
        let bootstrap = Self.bootstrap(group: group, config: config)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls)) }
                    try pipeline.addHandler(PartialLineTimer(timeout: config.lineTimeout))
                    try pipeline.addHandler(ByteToMessageHandler(BoundedLineDecoder(maxLineBytes: config.maxLineBytes),
                                                                 maximumBufferSize: config.maxLineBytes * 4))
                    if let flood = config.flood { try pipeline.addHandler(FloodGate(limits: flood)) }
                    try pipeline.addHandler(SessionHandler(engine: engine, config: config, registry: registry,
                                                           outputs: outputs, logger: logger))
                }
            }
        let channel = try await bootstrap.bind(host: config.host, port: config.port).get()
        listener = channel
        let port = channel.localAddress?.port ?? config.port
        logger.info("Papo listening on \(config.host):\(port)")
        return port
    }

    public var connectionCount: Int { registry.count }

    /// A listener on `group` with the socket options and output bounds of
    /// `config`, for this server and for other front ends alike.
    static func bootstrap(group: EventLoopGroup, config: ServerConfig) -> ServerBootstrap {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark,
                                value: .init(low: config.maxOutboundBytes / 2, high: config.maxOutboundBytes))
        guard config.sendBufferBytes > 0 else { return bootstrap }
        return bootstrap.childChannelOption(.socketOption(.so_sndbuf), value: SocketOptionValue(config.sendBufferBytes))
    }

    /// What another front end (IRC) shares with this server: its event
    /// loops and their output queues, and the connection limits, so its
    /// sockets count against the same caps and are closed at shutdown.
    public var frontEnd: FrontEndContext {
        FrontEndContext(group: group, outputs: outputs, registry: registry, config: config)
    }

    /// Stops accepting, tells every client, lets their queues drain, and
    /// closes every socket. The caller flushes the store afterwards.
    public func shutdown() async {
        try? await listener?.close()
        engine.announceShutdown()
        let connections = registry.all
        for connection in connections { connection.closeAfterPendingWrites() }
        for connection in connections {
            _ = try? await connection.channel.closeFuture.get()
        }
        if ownsGroup { try? await group.shutdownGracefully() }
        logger.info("Papo stopped")
    }
}

/// The parts of a `PapoServer` another front end runs on.
public struct FrontEndContext: @unchecked Sendable {
    public let group: EventLoopGroup
    public let outputs: LoopOutputs
    public let registry: ConnectionRegistry
    /// Line, flood and timeout limits the other front end applies too.
    public let config: ServerConfig

    /// A listener on these loops with the server's socket options and output bounds.
    public func bootstrap() -> ServerBootstrap { PapoServer.bootstrap(group: group, config: config) }
}
