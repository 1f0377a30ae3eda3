import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct ClientTimeout: Error, CustomStringConvertible {
    let waitingFor: String
    let seen: [String]
    var description: String { "timed out waiting for \(waitingFor); saw:\n" + seen.joined(separator: "\n") }
}

/// A blocking TCP client over a real loopback socket, reading whole lines
/// with deadlines so no test can hang.
final class LineClient {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var closedByServer = false
    /// Every line received so far.
    private(set) var transcript: [String] = []

    /// - Parameter receiveBuffer: a small kernel receive buffer, for clients
    ///   that are meant to stop reading.
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        // No close here: once every property is set, a throwing init still
        // runs deinit, which closes the socket (closing twice could close a
        // descriptor another test has just opened).
        guard result == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { Glibc.close(fd) }

    /// The client's own port, which is the peer port of the server's socket.
    var localPort: Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func send(_ line: String) {
        sendRaw(Array((line + "\n").utf8))
    }

    func sendRaw(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// Shuts the socket down for both directions.
    func close() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// The next line, or nil when the server closed the connection or the deadline passed.
    func nextLine(timeout: TimeInterval = 5) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                transcript.append(line)
                return line
            }
            if closedByServer { return nil }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return nil }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, Int32(remaining * 1000) + 1) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = recv(fd, &chunk, chunk.count, 0)
            if count <= 0 {
                closedByServer = true
            } else {
                buffer.append(contentsOf: chunk[0..<count])
            }
        }
    }

    /// Reads lines until one satisfies `match`; returns it with the lines before it.
    @discardableResult
    func waitFor(_ what: String, timeout: TimeInterval = 5, _ match: (String) -> Bool) throws -> (line: String, before: [String]) {
        let deadline = Date().addingTimeInterval(timeout)
        var before: [String] = []
        while deadline.timeIntervalSinceNow > 0 {
            guard let line = nextLine(timeout: deadline.timeIntervalSinceNow) else { break }
            if match(line) { return (line, before) }
            before.append(line)
        }
        throw ClientTimeout(waitingFor: what, seen: transcript)
    }

    @discardableResult
    func waitFor(containing text: String, timeout: TimeInterval = 5) throws -> (line: String, before: [String]) {
        try waitFor("a line containing \(text)", timeout: timeout) { $0.contains(text) }
    }

    /// Answers the plain-text greeting with `name` and waits for the welcome.
    func logIn(as name: String) throws {
        try waitFor(containing: "Bem-vindo")
        send(name)
        try waitFor(containing: "Olá, \(name)!")
    }

    /// Answers the greeting with a registered `name`, then its `password`
    /// at the prompt, and waits for the account's welcome.
    func logIn(as name: String, password: String) throws {
        try waitFor(containing: "Bem-vindo")
        send(name)
        try waitFor(containing: "Qual é a senha?")
        send(password)
        try waitFor(containing: "Você entrou na sua conta")
    }

    /// True once the server has closed this connection (within `timeout`).
    func waitForClose(timeout: TimeInterval = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !closedByServer && deadline.timeIntervalSinceNow > 0 {
            _ = nextLine(timeout: deadline.timeIntervalSinceNow)
        }
        return closedByServer
    }
}
