import Foundation
import IRCServer

/// An IRC client over a real loopback socket: sends CRLF lines, reads
/// parsed messages with deadlines, and syncs as irctest does (PING, then
/// everything up to its PONG).
final class IRCTestClient {
    private let socket: LineClient
    private var pings = 0

    init(port: Int) throws {
        socket = try LineClient(port: port)
    }

    func send(_ line: String) {
        socket.sendRaw(Array((line + "\r\n").utf8))
    }

    func sendRaw(_ bytes: [UInt8]) { socket.sendRaw(bytes) }

    /// The next message, or nil at a deadline or when the server closed.
    func next(timeout: TimeInterval = 5) -> IRCMessage? {
        guard var line = socket.nextLine(timeout: timeout) else { return nil }
        if line.hasSuffix("\r") { line.removeLast() }
        return IRCMessage(parsing: Substring(line))
    }

    /// Reads until a message with `command` (and, if given, whose
    /// parameters contain `param`); returns it with the messages before it.
    @discardableResult
    func waitFor(command: String, param: String? = nil, timeout: TimeInterval = 5) throws -> (message: IRCMessage, before: [IRCMessage]) {
        let deadline = Date().addingTimeInterval(timeout)
        var before: [IRCMessage] = []
        while deadline.timeIntervalSinceNow > 0, let message = next(timeout: deadline.timeIntervalSinceNow) {
            if message.command == command, param.map(message.params.contains) ?? true { return (message, before) }
            before.append(message)
        }
        throw ClientTimeout(waitingFor: "\(command) \(param ?? "")", seen: before.map { $0.serialized() })
    }

    /// Everything the server sends before the answer to a PING sent now.
    func sync() throws -> [IRCMessage] {
        pings += 1
        let token = "sync\(pings)"
        send("PING \(token)")
        return try waitFor(command: "PONG", param: token).before
    }

    var closedByServer: Bool { socket.closedByServer }

    func waitForClose(timeout: TimeInterval = 5) -> Bool { socket.waitForClose(timeout: timeout) }
}
