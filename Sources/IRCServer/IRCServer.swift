import BotEngine
import ChatServer
import Logging
import NIOCore
import NIOPosix

/// The IRC front end: a listener beside `PapoServer`'s, on its event loops
/// and under its connection limits, whose sessions speak IRC to the same
/// `ChatEngine`. An IRC user in `#cafe` is in Papo's room `cafe`, with
/// everyone who came by nc, JSON or `papo connect`.
public final class IRCServer: @unchecked Sendable {
    public let config: IRCConfig
    private let engine: ChatEngine
    private let frontEnd: FrontEndContext
    private let logger: Logger
    private var listener: Channel?

    public init(engine: ChatEngine, config: IRCConfig, frontEnd: FrontEndContext, logger: Logger) {
        self.engine = engine
        self.config = config
        self.frontEnd = frontEnd
        self.logger = logger
    }

    /// Binds and starts accepting; returns the bound port.
    @discardableResult
    public func start() async throws -> Int {
        let engine = self.engine, config = self.config, frontEnd = self.frontEnd, logger = self.logger
        let limits = frontEnd.config
        let bootstrap = frontEnd.bootstrap()
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    let maxLine = IRCConfig.maxLineBytes + IRCConfig.maxTagBytes
                    try pipeline.addHandler(PartialLineTimer(timeout: limits.lineTimeout))
                    try pipeline.addHandler(ByteToMessageHandler(BoundedLineDecoder(maxLineBytes: maxLine),
                                                                 maximumBufferSize: maxLine * 4))
                    if let flood = limits.flood { try pipeline.addHandler(FloodGate(limits: flood)) }
                    try pipeline.addHandler(IRCSession(engine: engine, config: config, frontEnd: frontEnd, logger: logger))
                }
            }
        let channel = try await bootstrap.bind(host: config.host, port: config.port).get()
        listener = channel
        let port = channel.localAddress?.port ?? config.port
        logger.info("Papo IRC listening on \(config.host):\(port) as \(config.serverName)")
        return port
    }

    /// Stops accepting; the connections close with `PapoServer.shutdown`.
    public func stop() async {
        try? await listener?.close()
    }
}
