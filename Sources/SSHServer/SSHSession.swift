import BotEngine
import ChatClient
import ChatCore
import ChatServer
import Foundation
import Logging
import NIOCore
import NIOSSH

/// One SSH `session` channel. With a pty and a shell it is a terminal chat
/// (line editor, redraw, colours, bell: the core's JSON lines rendered as
/// `papo connect` does); a shell without a pty speaks the plain-text
/// protocol as nc does; `exec` runs one command and exits with its status.
/// The core sees a `Connection` on this channel like any other.
final class SSHSession: ChannelDuplexHandler {
    typealias InboundIn = SSHChannelData
    /// Lines go on through the server's `FloodGate` to `SSHLineSink`,
    /// which hands them back to `deliver`: flood control as on nc.
    typealias InboundOut = InboundLine
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = SSHChannelData

    private enum Mode {
        case waiting
        case terminal
        case plain
        case exec
    }

    private let engine: ChatEngine
    private let frontEnd: FrontEndContext
    private let state: SSHConnectionState
    private var logger: Logger
    private var mode = Mode.waiting
    private var connection: Connection?
    private var user: UserID?
    private var name = ""
    private var context: ChannelHandlerContext?

    // Terminal mode.
    private var pty: SSHChannelRequestEvent.PseudoTerminalRequest?
    private var editor: LineEditor
    private var screen = TerminalScreen()
    private var renderer = ClientRenderer(useColor: true)
    private var bell = true
    /// A name refused at connect (taken, invalid): the next line is another.
    private var naming = false
    // Plain mode.
    private var partial: [UInt8] = []
    // Exec mode.
    private var execDeadline: Scheduled<Void>?
    private var exitStatus = 0
    private var closing = false

    static let execTimeout = TimeAmount.seconds(30)

    init(engine: ChatEngine, frontEnd: FrontEndContext, state: SSHConnectionState, logger: Logger) {
        self.engine = engine
        self.frontEnd = frontEnd
        self.state = state
        self.logger = logger
        editor = LineEditor(maxBytes: frontEnd.config.maxLineBytes)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        context.channel.setOption(ChannelOptions.allowRemoteHalfClosure, value: true).whenComplete { _ in }
    }

    func channelInactive(context: ChannelHandlerContext) {
        execDeadline?.cancel()
        if let user { engine.disconnect(user) }
        user = nil
        if let connection { frontEnd.registry.remove(connection, address: state.address) }
        context.fireChannelInactive()
    }

    /// A client that stops reading fills the channel's window and its
    /// buffer: it is disconnected rather than allowed to grow our memory.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !context.channel.isWritable {
            logger.info("closing an SSH session that does not read")
            context.close(promise: nil)
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("SSH session error: \(error)")
        context.close(promise: nil)
    }

    // MARK: Requests

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let request as SSHChannelRequestEvent.PseudoTerminalRequest:
            pty = request
            screen.resize(columns: request.terminalCharacterWidth)
            if request.term == "dumb" { renderer.useColor = false }
            reply(request.wantReply, true, context)
        case let request as SSHChannelRequestEvent.EnvironmentRequest:
            if request.name == "NO_COLOR" { renderer.useColor = false }
            reply(request.wantReply, request.name == "NO_COLOR", context)
        case let request as SSHChannelRequestEvent.WindowChangeRequest:
            screen.resize(columns: request.terminalCharacterWidth)
            if case .terminal = mode { write(screen.redrawAfterResize(editor), context) }
        case let request as SSHChannelRequestEvent.ShellRequest:
            guard case .waiting = mode else { return reply(request.wantReply, false, context) }
            reply(request.wantReply, true, context)
            start(pty == nil ? .plain : .terminal, context)
        case let request as SSHChannelRequestEvent.ExecRequest:
            guard case .waiting = mode else { return reply(request.wantReply, false, context) }
            reply(request.wantReply, true, context)
            runCommand(request.command, context)
        case let request as SSHChannelRequestEvent.SubsystemRequest:
            reply(request.wantReply, false, context)
        case ChannelEvent.inputClosed:
            if case .exec = mode { break }
            finish(status: 0, context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func reply(_ wanted: Bool, _ ok: Bool, _ context: ChannelHandlerContext) {
        guard wanted else { return }
        if ok {
            context.triggerUserOutboundEvent(ChannelSuccessEvent(), promise: nil)
        } else {
            context.triggerUserOutboundEvent(ChannelFailureEvent(), promise: nil)
        }
    }

    // MARK: Joining

    private func start(_ mode: Mode, _ context: ChannelHandlerContext) {
        self.mode = mode
        guard let identity = state.identity else { return finish(status: 1, context) }
        let connection = Connection(channel: context.channel, output: frontEnd.outputs.output(for: context.eventLoop))
        connection.format = mode == .plain ? .text : .json
        self.connection = connection
        if let refusal = frontEnd.registry.admit(connection, address: state.address) {
            logger.notice("refused an SSH session: \(refusal)")
            say(refusal.error.message, context)
            return finish(status: 1, context)
        }
        if mode == .terminal { write("\u{1B}[?2004h", context) } // bracketed paste on
        join(as: identity.name, login: identity.login, context)
    }

    private func join(as requested: String, login: VerifiedLogin?, _ context: ChannelHandlerContext) {
        guard let connection else { return }
        let inLobby = mode != .exec
        let result = engine.connect(name: requested, endpoint: connection, address: state.address, login: login,
                                    inLobby: inLobby) { welcome in connection.sendWelcome(welcome) }
        switch result {
        case .success(let welcome):
            user = welcome.id
            name = welcome.name
            naming = false
            logger[metadataKey: "user"] = "\(welcome.name)"
            logger.info(welcome.account == nil ? "joined over SSH" : "joined over SSH with an account")
            if let key = state.identity?.key { engine.withChat { $0.setOfferedKey(key, for: welcome.id) } }
        case .failure(let error):
            let message = error.message
            guard mode == .terminal else {
                say(message, context)
                return finish(status: 1, context)
            }
            // Another name may do (a guest's only: a registered one needs its key or password).
            naming = true
            screen.prompt = "nome> "
            write(screen.show([message, "Escolha outro nome (ou Ctrl-D para sair):"], editor: editor), context)
        }
    }

    // MARK: Input

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let data = unwrapInboundIn(data)
        guard case .byteBuffer(let buffer) = data.data, data.type == .channel else { return }
        switch mode {
        case .terminal: typed(buffer.readableBytesView, context)
        case .plain: plainLines(buffer.readableBytesView, context)
        case .waiting, .exec: break
        }
    }

    private func typed(_ bytes: ByteBufferView, _ context: ChannelHandlerContext) {
        var out = ""
        for event in editor.feed(bytes) {
            switch event {
            case .submit(let line):
                out += screen.submitted()
                if naming {
                    if !line.isEmpty {
                        write(out, context)
                        out = ""
                        screen.prompt = "> "
                        join(as: line, login: nil, context)
                    }
                    continue
                }
                guard user != nil, !line.isEmpty else { continue }
                if SecretLine.masked(line) == nil { editor.remember(line) }
                pass(line, context)
            case .quit:
                write(out + "\r\n", context)
                return finish(status: 0, context)
            case .clearScreen:
                out += "\u{1B}[H\u{1B}[2J"
            case .complete:
                complete()
            case .bell:
                out += "\u{07}"
            }
        }
        write(out + screen.inputLine(editor), context)
    }

    /// Tab: a command after `/`, a room after `#`, otherwise a nick.
    private func complete() {
        let word = editor.wordBeforeCursor
        guard !word.isEmpty else { return }
        let candidates: [String]
        if word.hasPrefix("/"), editor.completingFirstWord {
            candidates = BuiltinCommands.all.flatMap { [$0.name] + $0.aliases }.map { "/" + $0 }
        } else if word.hasPrefix("#") {
            candidates = engine.withChat { chat in user.map { chat.roomList(for: $0).map { "#" + $0.name } } ?? [] }
        } else {
            candidates = engine.withChat { $0.connectedUsers().map(\.name) }
        }
        let matches = candidates.filter { nameKey($0).hasPrefix(nameKey(word)) }
        guard matches.count == 1, let match = matches.first else { return }
        editor.replaceWordBeforeCursor(with: match + " ")
    }

    private func plainLines(_ bytes: ByteBufferView, _ context: ChannelHandlerContext) {
        for byte in bytes {
            guard byte == UInt8(ascii: "\n") else {
                if partial.count <= frontEnd.config.maxLineBytes { partial.append(byte) }
                continue
            }
            defer { partial = [] }
            if partial.last == UInt8(ascii: "\r") { partial.removeLast() }
            guard partial.count <= frontEnd.config.maxLineBytes else {
                say(ChatError.lineTooLong(max: frontEnd.config.maxLineBytes).message, context)
                continue
            }
            guard let line = String(validating: partial, as: UTF8.self) else {
                say(ChatError.invalidUTF8.message, context)
                continue
            }
            if user != nil, !line.isEmpty { pass(line, context) }
        }
    }

    /// Sends a typed line on through flood control.
    private func pass(_ line: String, _ context: ChannelHandlerContext) {
        context.fireChannelRead(wrapInboundOut(.line(context.channel.allocator.buffer(string: line))))
    }

    /// A line through flood control: the chat handles it.
    func deliver(_ line: InboundLine) {
        guard let user, case .line(let buffer) = line else { return }
        _ = engine.handle(line: String(decoding: buffer.readableBytesView, as: UTF8.self), from: user)
    }

    /// What flood control says about this session.
    func flood(_ signal: FloodSignal) {
        guard let context else { return }
        switch signal {
        case .slowed:
            logger.info("flood control: slowing an SSH session down")
            say(ChatError.floodSlowed(linesPerSecond: Int(frontEnd.config.flood?.linesPerSecond ?? 0)).message, context)
        case .disconnect:
            logger.notice("flood control: disconnecting an SSH session that kept flooding")
            say(ChatError.floodDisconnected.message, context)
            finish(status: 1, context)
        }
    }

    // MARK: exec

    private func runCommand(_ command: String, _ context: ChannelHandlerContext) {
        start(.exec, context)
        guard let user else { return }
        let line = command.hasPrefix("/") ? command : "/" + command
        execDeadline = context.eventLoop.scheduleTask(in: Self.execTimeout) { [weak self] in
            self?.say("O comando não respondeu a tempo.", context)
            self?.finish(status: 124, context)
        }
        // A JSON request id is echoed as the JSON value it was (here a string).
        _ = engine.handle(line: line, from: user, requestID: "\"exec\"")
    }

    // MARK: Output

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        switch mode {
        case .plain, .waiting:
            context.write(wrapOutboundOut(SSHChannelData(type: .channel, data: .byteBuffer(buffer))), promise: promise)
        case .terminal:
            let text = terminalText(for: buffer)
            var out = context.channel.allocator.buffer(capacity: text.utf8.count)
            out.writeString(text)
            context.write(wrapOutboundOut(SSHChannelData(type: .channel, data: .byteBuffer(out))), promise: promise)
        case .exec:
            execOutput(buffer, context)
            promise?.succeed(())
        }
    }

    private func terminalText(for buffer: ByteBuffer) -> String {
        var shown: [String] = []
        var ring = false
        for line in String(decoding: buffer.readableBytesView, as: UTF8.self).split(separator: "\n") {
            let parsed = ClientRenderer.parse(String(line))
            switch parsed {
            case .welcome(_, let room):
                screen.prompt = room.isEmpty ? "> " : "[#\(room)] "
            case .event(let event):
                if event.kind == .current { screen.prompt = event.room.map { "[#\($0)] " } ?? "> " }
                if bell, event.sender != name, mentionsMe(event) { ring = true }
            default:
                break
            }
            shown += renderer.render(parsed)
        }
        guard !shown.isEmpty else { return screen.inputLine(editor) }
        return screen.show(shown, editor: editor) + (ring ? "\u{07}" : "")
    }

    private func mentionsMe(_ event: ChatEvent) -> Bool {
        switch event.kind {
        case .privateMessage: return event.target.map(nameKey) == nameKey(name)
        case .message: return !name.isEmpty && (event.text.map { nameKey($0).contains(nameKey(name)) } ?? false)
        default: return false
        }
    }

    private func execOutput(_ buffer: ByteBuffer, _ context: ChannelHandlerContext) {
        for line in String(decoding: buffer.readableBytesView, as: UTF8.self).split(separator: "\n") {
            let parsed = ClientRenderer.parse(String(line))
            switch parsed {
            case .result(true, let text, _, let items):
                // What a script wants: the reply's text, and its items, without stamps.
                let plain = ClientRenderer(useColor: false)
                let lines = (text.map { [$0] } ?? []) + items.map { plain.render($0) }
                if !lines.isEmpty { say(lines.joined(separator: "\n"), context) }
                finish(status: 0, context)
            case .result(false, _, let message, _):
                say(message ?? "erro", context, stream: .stdErr)
                finish(status: 1, context)
            case .error(_, let message):
                say(message, context, stream: .stdErr)
                finish(status: 1, context)
            default:
                break
            }
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        // The chat closed the session (/sair, a kick from the server, shutdown): say how it ended.
        if !closing {
            closing = true
            if case .terminal = self.mode { write("\u{1B}[?2004l\r\n", context) }
            context.triggerUserOutboundEvent(SSHChannelRequestEvent.ExitStatus(exitStatus: exitStatus), promise: nil)
        }
        context.close(mode: mode, promise: promise)
    }

    /// Writes `text` as it is, now.
    private func write(_ text: String, _ context: ChannelHandlerContext,
                       stream: SSHChannelData.DataType = .channel) {
        guard !text.isEmpty else { return }
        var out = context.channel.allocator.buffer(capacity: text.utf8.count)
        out.writeString(text)
        context.writeAndFlush(wrapOutboundOut(SSHChannelData(type: stream, data: .byteBuffer(out))), promise: nil)
    }

    /// Writes a line of the server's own, in the session's form (without a
    /// pty, lines end in LF as nc's do).
    private func say(_ line: String, _ context: ChannelHandlerContext, stream: SSHChannelData.DataType = .channel) {
        switch mode {
        case .terminal: write(screen.show([line], editor: editor), context)
        default: write(TerminalScreen.sanitized(line) + "\n", context, stream: stream)
        }
    }

    /// Ends the session with `status` once what was written is sent.
    private func finish(status: Int, _ context: ChannelHandlerContext) {
        guard !closing else { return }
        exitStatus = status
        execDeadline?.cancel()
        context.channel.close(promise: nil)
    }
}

/// The end of an SSH session's inbound pipeline: the lines flood control
/// let through, and its signals, go back to the session.
final class SSHLineSink: ChannelInboundHandler {
    typealias InboundIn = InboundLine
    private weak var session: SSHSession?

    init(session: SSHSession) {
        self.session = session
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        session?.deliver(unwrapInboundIn(data))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let signal = event as? FloodSignal { session?.flood(signal) } else { context.fireUserInboundEventTriggered(event) }
    }
}
