import BotEngine
import ChatCore
import ChatServer
import Logging
import NIOCore

/// One IRC client's session: capability negotiation and registration
/// (CAP, PASS, NICK, USER) here, then every command goes to the engine
/// through `IRCCommands`, in order, so that its answer keeps its place among
/// everything else the client is sent. Liveness: a client silent for
/// `pingInterval` is PINGed, and closed if it stays silent as long again.
final class IRCSession: ChannelInboundHandler {
    typealias InboundIn = InboundLine

    enum State {
        case registering
        /// NICK and USER are in, the engine is admitting the user.
        case admitting
        case registered(UserID)
        case closed
    }

    let engine: ChatEngine
    let config: IRCConfig
    let frontEnd: FrontEndContext
    var logger: Logger
    var state = State.registering
    var client: IRCClient!
    var address: String?
    /// Registration: what the client has sent so far.
    var requestedNick: String?
    var userName: String?
    var realName = ""
    var givenPassword: String?
    var negotiatingCaps = false
    var registrationDeadline: Scheduled<Void>?
    var sasl = SASLState()
    var saslFailures = 0
    /// Wrong OPER passwords on this connection.
    var failedOpers = 0
    /// Liveness.
    var lastHeard = NIODeadline.now()
    var pingTimer: RepeatedTask?
    var awaitingPong = false
    /// Lines read while the engine asked to stop handing them over.
    var held = CircularBuffer<String>()
    var holding = false

    static let pingInterval = TimeAmount.seconds(90)

    init(engine: ChatEngine, config: IRCConfig, frontEnd: FrontEndContext, logger: Logger) {
        self.engine = engine
        self.config = config
        self.frontEnd = frontEnd
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        let connection = Connection(channel: context.channel, output: frontEnd.outputs.output(for: context.eventLoop))
        client = IRCClient(connection: connection, serverName: config.serverName)
        client.onResume = { [weak self] in self?.resumeInput() }
        address = context.remoteAddress?.ipAddress
        logger[metadataKey: "peer"] = "\(context.remoteAddress?.description ?? "?")"
        if let refusal = frontEnd.registry.admit(connection, address: address) {
            logger.notice("refused an IRC connection: \(refusal)")
            state = .closed
            client.send([IRCMessage(command: "ERROR", params: [refusal.error.message])])
            connection.closeAfterPendingWrites()
            context.fireChannelActive()
            return
        }
        registrationDeadline = context.eventLoop.scheduleTask(in: frontEnd.config.namingTimeout) { [weak self] in
            guard let self, case .registering = self.state else { return }
            self.logger.info("closing an IRC connection that did not register in time")
            self.close(saying: "Tempo esgotado para o registro")
        }
        pingTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: Self.pingInterval, delay: Self.pingInterval) {
            [weak self] _ in self?.checkAlive()
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        registrationDeadline?.cancel()
        pingTimer?.cancel()
        if case .registered(let id) = state { engine.disconnect(id, reason: "Conexão perdida") }
        if case .registering = state, let welcome = sasl.welcome { engine.disconnect(welcome.id) }
        state = .closed
        if let client { frontEnd.registry.remove(client.connection, address: address) }
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !context.channel.isWritable {
            logger.info("closing an IRC connection that does not read")
            context.close(promise: nil)
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("IRC connection error: \(error)")
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case FloodSignal.slowed:
            client.send([notice(ChatError.floodSlowed(linesPerSecond: Int(frontEnd.config.flood?.linesPerSecond ?? 0)).message)])
        case FloodSignal.disconnect:
            logger.notice("flood control: disconnecting an IRC connection that kept flooding")
            close(saying: ChatError.floodDisconnected.message)
        case TimeoutSignal.partialLine:
            close(saying: ChatError.lineTimeout(seconds: Int(frontEnd.config.lineTimeout.nanoseconds / 1_000_000_000)).message)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastHeard = .now()
        awaitingPong = false
        switch unwrapInboundIn(data) {
        case .tooLong:
            client.send([client.numeric("417", "Linha longa demais")])
        case .line(let buffer):
            guard let line = String(validating: buffer.readableBytesView, as: UTF8.self) else {
                client.send([IRCMessage(source: config.serverName, command: "FAIL",
                                        params: ["*", "INVALID_UTF8", "A linha não é UTF-8 válido"])])
                return
            }
            handle(line)
        }
    }

    /// Tells the client why and closes the connection once that is written.
    func close(saying reason: String) {
        if case .registered(let id) = state {
            state = .closed
            engine.withChat { chat in
                chat.disconnect(id, reason: reason)
                chat.outbox.disconnect(client)
            }
            return
        }
        if case .registering = state, let welcome = sasl.welcome { engine.disconnect(welcome.id) }
        state = .closed
        client.send([IRCMessage(command: "ERROR", params: [reason])])
        client.connection.closeAfterPendingWrites()
    }

    private func checkAlive() {
        guard !isClosed else { return }
        if awaitingPong && NIODeadline.now() - lastHeard >= Self.pingInterval {
            logger.info("closing an IRC connection that stopped answering PING")
            close(saying: "Ping timeout: \(Self.pingInterval.nanoseconds / 1_000_000_000) s")
            return
        }
        if NIODeadline.now() - lastHeard >= Self.pingInterval {
            awaitingPong = true
            client.send([IRCMessage(command: "PING", params: [config.serverName])])
        }
    }

    var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    func notice(_ text: String) -> IRCMessage {
        IRCMessage(source: config.serverName, command: "NOTICE", params: [client.nick, text])
    }

    /// One line from the client.
    func handle(_ line: String) {
        if holding {
            held.append(line)
            return
        }
        let (head, _) = Self.splitTags(line)
        guard !head.isEmpty else { return }
        if head.utf8.count > IRCConfig.maxLineBytes - 2 {
            client.send([client.numeric("417", "Linha longa demais")])
            return
        }
        guard let message = IRCMessage(parsing: Substring(line)) else { return }
        switch state {
        case .closed:
            return
        case .admitting:
            // Read before the engine let the user in (a password being checked): kept in order.
            held.append(line)
        case .registering:
            register(message)
        case .registered(let id):
            let more = IRCCommands(session: self, id: id).run(message)
            if !more { holdInput() }
        }
    }

    /// The line without its tags, and the tags part (IRCv3 gives the tags
    /// their own 4094 bytes beside the 512 of the rest).
    static func splitTags(_ line: String) -> (head: Substring, tags: Substring) {
        let trimmed = line.drop { $0 == " " }
        guard trimmed.first == "@" else { return (trimmed, "") }
        guard let space = trimmed.firstIndex(of: " ") else { return ("", trimmed) }
        return (trimmed[space...].drop { $0 == " " }, trimmed[..<space])
    }

    func holdInput() {
        holding = true
        client.connection.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
    }

    func resumeInput() {
        guard holding else { return }
        holding = false
        while !holding, let line = held.popFirst() { handle(line) }
        if !holding { client.connection.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in } }
    }

}
