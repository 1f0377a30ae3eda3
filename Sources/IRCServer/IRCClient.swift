import ChatCore
import ChatServer
import NIOConcurrencyHelpers
import NIOCore

/// One IRC connection as the core sees it: the endpoint its deliveries
/// come to. It renders each event and reply as IRC lines for this client
/// (its nick, its capabilities) and queues them on the connection, so
/// everything leaves in the order the core delivered it.
final class IRCClient: SharedRenderingEndpoint, @unchecked Sendable {
    let connection: Connection
    let serverName: String
    private let lock = NIOLock()
    /// Guarded by `lock`: read on any thread by `receive`.
    private var _nick = "*"
    private var _caps: Set<IRCCapability> = []
    private var _identity = IRCIdentity()
    /// Set on the loop by the session once it is registered.
    var userID: UserID?
    /// What the session does when the core takes the user's lines again. Set and run on the loop.
    var onResume: (() -> Void)?

    init(connection: Connection, serverName: String) {
        self.connection = connection
        self.serverName = serverName
    }

    var nick: String {
        get { lock.withLock { _nick } }
        set { lock.withLock { _nick = newValue } }
    }

    /// What WHO and WHOIS show of this user, beside their Papo name.
    var identity: IRCIdentity {
        get { lock.withLock { _identity } }
        set { lock.withLock { _identity = newValue } }
    }

    var caps: Set<IRCCapability> {
        get { lock.withLock { _caps } }
        set { lock.withLock { _caps = newValue } }
    }

    func resumeInput() {
        connection.eventLoop.execute { self.onResume?() }
    }

    func receive(_ item: Outgoing) {
        let (nick, caps) = lock.withLock { (_nick, _caps) }
        var view = IRCRenderer.Viewer(nick: nick, caps: caps, serverName: serverName)
        switch item {
        case .event(let event):
            if event.kind == .rename, let old = event.sender, let new = event.target, old == nick {
                self.nick = new
            }
            send(IRCRenderer.lines(for: event, viewer: view))
        case .reply(let reply):
            view.nick = nick
            send(IRCRenderer.lines(for: reply, viewer: view))
        }
    }

    /// Events seen by a channel's members render the same for everyone
    /// but their sender: one variant with `server-time`, one without. The
    /// sender's own copy (echo-message), a rename (which moves this
    /// client's nick) and the rest render one by one in `receive`.
    func renderingVariant(of item: Outgoing) -> Int? {
        guard case .event(let event) = item else { return nil }
        switch event.kind {
        case .message, .join, .connect, .leave, .disconnect, .topic, .kick, .ban, .unban,
             .moderatorAdded, .moderatorRemoved, .admin, .settings:
            let (nick, caps) = lock.withLock { (_nick, _caps) }
            if event.sender == nick { return nil }
            return caps.contains(.serverTime) ? 1 : 0
        case .privateMessage, .rename, .shutdown, .current, .identify:
            return nil
        }
    }

    func render(_ item: Outgoing) -> ByteBuffer? {
        guard case .event(let event) = item else { return nil }
        let (nick, caps) = lock.withLock { (_nick, _caps) }
        let lines = IRCRenderer.lines(for: event, viewer: IRCRenderer.Viewer(nick: nick, caps: caps, serverName: serverName))
        return lines.isEmpty ? nil : Self.buffer(lines)
    }

    /// A room's last public messages as the lines replayed after JOIN to a
    /// client that asked for `server-time` (so it can tell them from new
    /// ones), in a `chathistory` batch when it asked for `batch`.
    func replayLines(_ messages: [StoredMessage], room: String) -> [IRCMessage] {
        let caps = self.caps
        let history = messages.filter { $0.kind == .public && nameKey($0.room) == nameKey(room) }
        guard !history.isEmpty else { return [] }
        let batch = caps.contains(.batch) ? "h\(UInt32.random(in: 0...UInt32.max))" : nil
        var lines: [IRCMessage] = []
        if let batch {
            lines.append(IRCMessage(source: serverName, command: "BATCH", params: ["+" + batch, "chathistory", "#" + room]))
        }
        for message in history {
            var tags = ["time": IRCTime.format(message.time)]
            if let batch { tags["batch"] = batch }
            lines.append(IRCMessage(tags: tags, source: IRCRenderer.mask(message.sender), command: "PRIVMSG",
                                    params: ["#" + room, IRCRenderer.clean(message.text)]))
        }
        if let batch { lines.append(IRCMessage(source: serverName, command: "BATCH", params: ["-" + batch])) }
        return lines
    }

    /// Says goodbye with ERROR (which every client shows) and closes once
    /// that and everything before it is written.
    func closeAfterPendingWrites() {
        send([IRCMessage(command: "ERROR", params: ["Conexão encerrada"])])
        connection.closeAfterPendingWrites()
    }

    /// Queues `messages` as CRLF lines, in order with all else.
    func send(_ messages: [IRCMessage]) {
        guard !messages.isEmpty else { return }
        connection.send(bytes: Self.buffer(messages))
    }

    static func buffer(_ messages: [IRCMessage]) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 128 * messages.count)
        for message in messages {
            buffer.writeString(message.serialized())
            buffer.writeStaticString("\r\n")
        }
        return buffer
    }

    /// A numeric reply from the server to this client.
    func numeric(_ code: String, _ params: String...) -> IRCMessage {
        IRCMessage(source: serverName, command: code, params: [nick] + params)
    }
}

/// An IRC user's USER names and away message (Papo itself keeps none of them).
struct IRCIdentity: Sendable {
    var userName: String?
    var realName: String?
    var away: String?
    /// User mode +i.
    var invisible = false
}

/// IRCv3 capabilities Papo offers.
enum IRCCapability: String, CaseIterable, Sendable {
    case serverTime = "server-time"
    case echoMessage = "echo-message"
    case messageTags = "message-tags"
    case batch
    case sasl

    /// As CAP LS 302 lists it (with its value).
    var listed: String { self == .sasl ? "sasl=PLAIN" : rawValue }
}
