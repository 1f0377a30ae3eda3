import BotEngine
import ChatCore
import Logging
import NIOCore

/// One client's session: greets, settles the wire format and the name (and,
/// for a registered name, its password) from the first lines, then hands
/// every line to the bot engine. Bad input gets a clear answer and changes
/// nothing else.
final class SessionHandler: ChannelInboundHandler {
    typealias InboundIn = InboundLine

    private enum State {
        case naming
        /// Text mode: the next line is the password of this registered name.
        case password(name: String)
        /// A password for `name` is being checked off the loop; lines wait meanwhile.
        case checking(name: String)
        case chatting(UserID)
        case closed
    }

    private let engine: ChatEngine
    private let config: ServerConfig
    private let registry: ConnectionRegistry
    private var logger: Logger
    private var state = State.naming
    private var connection: Connection!
    private var formatDecided = false
    private var namingDeadline: Scheduled<Void>?
    private var address: String?
    /// Wrong passwords at login on this connection; the third closes it.
    private var failedLogins = 0

    private let outputs: LoopOutputs
    /// Lines read while the engine asked to stop handing them over (a bot
    /// has too many of this user's lines waiting); reading is off meanwhile,
    /// so this holds at most what the socket had already given.
    private var held = CircularBuffer<String>()
    private var holding = false

    init(engine: ChatEngine, config: ServerConfig, registry: ConnectionRegistry, outputs: LoopOutputs,
         logger: Logger) {
        self.engine = engine
        self.config = config
        self.registry = registry
        self.outputs = outputs
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        connection = Connection(channel: context.channel, output: outputs.output(for: context.eventLoop))
        connection.onResume = { [weak self] in self?.resumeInput() }
        address = context.remoteAddress?.ipAddress
        logger[metadataKey: "peer"] = "\(context.remoteAddress?.description ?? "?")"
        if let refusal = registry.admit(connection, address: address) {
            logger.notice("refused a connection: \(refusal)")
            state = .closed
            closeSaying(refusal.error)
            context.fireChannelActive()
            return
        }
        logger.debug("connected")
        connection.send(TextRenderer.greeting())
        namingDeadline = context.eventLoop.scheduleTask(in: config.namingTimeout) { [weak self] in
            guard let self, !self.isChatting, !self.isClosed else { return }
            self.logger.info("closing a connection that chose no name in time")
            self.closeSaying(.namingTimeout(seconds: Self.seconds(self.config.namingTimeout)))
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        namingDeadline?.cancel()
        if case .chatting(let id) = state {
            engine.disconnect(id)
        }
        state = .closed
        if let connection { registry.remove(connection, address: address) }
        logger.debug("disconnected")
        context.fireChannelInactive()
    }

    /// A client that does not read fills its outbound buffer past the high
    /// water mark: it is disconnected rather than allowed to grow our memory.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !context.channel.isWritable {
            logger.info("closing a connection that does not read")
            context.close(promise: nil)
        }
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .tooLong:
            refuse(.lineTooLong(max: config.maxLineBytes))
        case .line(let buffer):
            guard let line = String(validating: buffer.readableBytesView, as: UTF8.self) else {
                refuse(.invalidUTF8)
                return
            }
            handle(line)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case FloodSignal.slowed:
            logger.info("flood control: slowing a connection down")
            notify(.floodSlowed(linesPerSecond: Int(config.flood?.linesPerSecond ?? 0)))
        case FloodSignal.disconnect:
            logger.notice("flood control: disconnecting a connection that kept flooding")
            closeSaying(.floodDisconnected)
        case TimeoutSignal.partialLine:
            logger.info("closing a connection that left a line unfinished")
            closeSaying(.lineTimeout(seconds: Self.seconds(config.lineTimeout)))
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Says why, then closes once that has been written.
    private func closeSaying(_ error: ChatError) {
        notify(error)
        connection.closeAfterPendingWrites()
    }

    static func seconds(_ time: TimeAmount) -> Int {
        Int(time.nanoseconds / 1_000_000_000)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("connection error: \(error)")
        context.close(promise: nil)
    }

    private var isChatting: Bool {
        if case .chatting = state { return true }
        return false
    }

    private var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    private func handle(_ line: String) {
        if holding {
            held.append(line)
            return
        }
        switch state {
        case .closed, .checking:
            return
        case .naming:
            login(line)
        case .password(let name):
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                // An empty line goes back to choosing a name.
                state = .naming
                connection.send("Qual é o seu nome?")
            } else {
                logIn(name: name, password: line)
            }
        case .chatting(let id):
            let more: Bool
            if connection.format == .json {
                more = handleJSON(line, from: id)
            } else {
                more = line.isEmpty || engine.handle(line: line, from: id)
            }
            if !more { holdInput() }
        }
    }

    /// Stops reading until the engine takes this user's lines again.
    private func holdInput() {
        holding = true
        connection.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
    }

    /// Hands over the lines held meanwhile, in order, then reads again
    /// unless the engine asked to stop once more.
    private func resumeInput() {
        guard holding else { return }
        holding = false
        while !holding, let line = held.popFirst() { handle(line) }
        if !holding { connection.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in } }
    }

    private func login(_ line: String) {
        var name = line
        if !formatDecided, line.first == "{" {
            connection.format = .json
            formatDecided = true
        }
        if connection.format == .json {
            switch ClientRequest.parse(line) {
            case .failure(let error):
                refuse(error)
                return
            case .success(let request):
                guard request.kind == .hello, let requested = request.name else {
                    refuse(.badRequest("o primeiro pedido deve ser {\"type\":\"hello\",\"name\":\"...\"}"))
                    return
                }
                formatDecided = true
                if let password = request.password {
                    logIn(name: requested, password: password)
                    return
                }
                name = requested
            }
        } else if NameRules.containsControlCharacters(line) {
            refuse(.controlCharacters)
            return
        }
        formatDecided = true
        let connection = self.connection!
        let result = engine.connect(name: name, endpoint: connection, address: address) { welcome in
            Self.sendWelcome(welcome, on: connection)
        }
        switch result {
        case .success(let welcome):
            joined(welcome)
        case .failure(.passwordRequired(let registered)) where connection.format == .text:
            // The next line is the password (docs/PROTOCOL.md §3).
            state = .password(name: registered)
            connection.send(ChatError.passwordRequired(registered).message)
        case .failure(let error):
            refuse(error)
        }
    }

    /// Checks `password` for the registered `name` off the loop; this
    /// connection's lines wait until the answer.
    private func logIn(name: String, password: String) {
        state = .checking(name: name)
        holdInput()
        let connection = self.connection!, loop = connection.eventLoop
        let session = NIOLoopBound(self, eventLoop: loop)
        engine.connect(name: name, password: password, endpoint: connection, address: address,
                       welcomed: { welcome in Self.sendWelcome(welcome, on: connection) },
                       completion: { result in loop.execute { session.value.finishLogIn(result) } })
    }

    private func finishLogIn(_ result: Result<Welcome, ChatError>) {
        guard case .checking(let name) = state else {
            // The connection ended meanwhile: whoever the check let in leaves.
            if case .success(let welcome) = result { engine.disconnect(welcome.id) }
            return
        }
        switch result {
        case .success(let welcome):
            joined(welcome)
        case .failure(let error):
            if error == .wrongPassword { failedLogins += 1 }
            state = .naming
            if failedLogins >= ChatEngine.maxPasswordAttempts {
                logger.notice("closing a connection after \(failedLogins) wrong passwords at login")
                state = .closed
                closeSaying(.tooManyAttempts)
                return
            }
            if error == .wrongPassword, connection.format == .text {
                // Asked for the password again, not for a name: a password
                // typed once more must never become a name the room sees.
                state = .password(name: name)
                connection.send(Self.passwordRetry)
            } else {
                refuse(error)
            }
        }
        resumeInput()
    }

    static let passwordRetry = "Senha incorreta. Digite a senha de novo, ou uma linha vazia para escolher outro nome."

    private func joined(_ welcome: Welcome) {
        state = .chatting(welcome.id)
        namingDeadline?.cancel()
        logger[metadataKey: "user"] = "\(welcome.name)"
        logger.info(welcome.account == nil ? "joined" : "joined with an account")
    }

    private static func sendWelcome(_ welcome: Welcome, on connection: Connection) {
        connection.sendWelcome(welcome)
    }

    /// Returns false when the engine asks for no more lines for now.
    private func handleJSON(_ line: String, from id: UserID) -> Bool {
        switch ClientRequest.parse(line) {
        case .failure(let error):
            refuse(error)
        case .success(let request):
            switch request.kind {
            case .line?, .say?:
                guard let text = request.text else {
                    refuse(.badRequest("falta o campo \"text\""), requestID: request.id)
                    return true
                }
                if request.kind == .say, let room = request.room {
                    // `say` into a named room is `/em sala texto`, which says the text as it is.
                    guard case .success(let clean) = NameRules.roomName(room) else {
                        refuse(.roomNameInvalid(room), requestID: request.id)
                        return true
                    }
                    return engine.handle(line: "/em \(clean) \(text)", from: id, requestID: request.id)
                }
                let line = request.kind == .say && text.hasPrefix("/") ? "/" + text : text
                return engine.handle(line: line, from: id, requestID: request.id)
            case .hello?:
                refuse(.badRequest("você já está conectado"), requestID: request.id)
            case nil:
                refuse(.badRequest("tipo de pedido desconhecido"), requestID: request.id)
            }
        }
        return true
    }

    /// Tells this connection about `error` outside any request, whatever
    /// its state (never as a name prompt).
    private func notify(_ error: ChatError) {
        guard connection != nil else { return }
        let now = TimeFormat.iso8601(.now)
        switch connection.format {
        case .json: connection.send(JSONRenderer.error(error, time: now))
        case .text: connection.send(TextRenderer.render(.reply(Reply(error: error, time: .now))))
        }
    }

    /// Answers bad input on this connection only.
    private func refuse(_ error: ChatError, requestID: String? = nil) {
        guard connection != nil else { return }
        let now = TimeFormat.iso8601(.now)
        switch connection.format {
        case .json:
            connection.send(JSONRenderer.error(error, requestID: requestID, time: now))
        case .text:
            if !isChatting {
                connection.send(TextRenderer.namePrompt(after: error))
            } else {
                connection.send(TextRenderer.render(.reply(Reply(error: error, time: .now))))
            }
        }
    }
}

extension ConnectionRegistry.Refusal {
    public var error: ChatError {
        switch self {
        case .serverFull(let max): .serverFull(max: max)
        case .tooManyFromAddress(let max): .tooManyConnections(max: max)
        }
    }
}
