import BotEngine
import ChatCore
import ChatServer
import ChatStore
import Foundation
import IRCServer
import Logging
import LuaBots
import NIOCore
import SSHServer

/// A real Papo server on a free loopback port with a real SQLite file in a
/// temporary folder, started in-process.
final class TestServer {
    let directory: URL
    let server: PapoServer
    let storage: SQLiteStorage
    let port: Int
    /// The IRC front end, when the test asked for one.
    private(set) var irc: IRCServer?
    private(set) var ircPort = 0
    /// The SSH front end, when the test asked for one.
    private(set) var ssh: SSHServer?
    private(set) var sshPort = 0

    private init(directory: URL, server: PapoServer, storage: SQLiteStorage, port: Int) {
        self.directory = directory
        self.server = server
        self.storage = storage
        self.port = port
    }

    /// Stored hashed, as papo serve keeps it, at scrypt's cheapest allowed cost.
    static func hashed(_ password: String) -> String {
        password.isEmpty ? password : PasswordHash.cheaplyStored(password)
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("papo-test-\(UUID().uuidString)")
    }

    /// - Parameter bots: a folder of Lua bots to load, if any.
    static func start(directory: URL = temporaryDirectory(), adminPassword: String? = "segredo",
                      maxLineBytes: Int = 4096, maxOutboundBytes: Int = 1 << 20,
                      bots: URL? = nil, flood: FloodLimits? = nil, namingTimeout: TimeAmount = .seconds(60),
                      lineTimeout: TimeAmount = .seconds(60), maxConnections: Int = 20_000,
                      maxConnectionsPerAddress: Int = 0, tls: TLSFiles? = nil,
                      sendBufferBytes: Int = ServerConfig.defaultSendBufferBytes,
                      irc: IRCConfig? = nil, ssh: SSHConfig? = nil) async throws -> TestServer {
        var logger = Logger(label: "papo-test")
        logger.logLevel = .critical
        let storage = try SQLiteStorage(directory: directory)
        let chat = try Chat(storage: storage, outbox: PapoServer.makeOutbox(storage: storage))
        let host = try BotHost(chat: chat, bots: bots ?? directory.appendingPathComponent("no-bots"),
                               adminPassword: adminPassword.map(Self.hashed), logger: logger,
                               passwordLogRounds: PasswordHash.cheapestLogRounds)
        host.loadBots()
        let engine = host.engine
        // Two loops whatever the machine, so messages cross between loops.
        // Flood control only where a test asks for it: most send bursts.
        let config = ServerConfig(host: "127.0.0.1", port: 0, maxLineBytes: maxLineBytes,
                                  maxOutboundBytes: maxOutboundBytes, threads: 2, flood: flood,
                                  namingTimeout: namingTimeout, lineTimeout: lineTimeout,
                                  maxConnections: maxConnections, maxConnectionsPerAddress: maxConnectionsPerAddress,
                                  tls: tls, sendBufferBytes: sendBufferBytes)
        let server = PapoServer(engine: engine, config: config, logger: logger)
        let port = try await server.start()
        let started = TestServer(directory: directory, server: server, storage: storage, port: port)
        if var irc {
            irc.port = 0
            let front = IRCServer(engine: engine, config: irc, frontEnd: server.frontEnd, logger: logger)
            started.ircPort = try await front.start()
            started.irc = front
        }
        if var ssh {
            ssh.port = 0
            let front = try SSHServer(engine: engine, config: ssh, frontEnd: server.frontEnd, logger: logger)
            started.sshPort = try await front.start()
            started.ssh = front
        }
        return started
    }

    func stop() async {
        await irc?.stop()
        await ssh?.stop()
        await server.shutdown()
        storage.flush()
    }

    func text(_ name: String) throws -> LineClient {
        let client = try LineClient(port: port)
        try client.logIn(as: name)
        return client
    }

    /// An IRC client registered as `nick` (after `lines`, such as CAP or PASS).
    func ircClient(_ nick: String, before lines: [String] = []) throws -> IRCTestClient {
        let client = try IRCTestClient(port: ircPort)
        for line in lines { client.send(line) }
        client.send("NICK \(nick)")
        client.send("USER \(nick) 0 * :\(nick)")
        try client.waitFor(command: "422")
        return client
    }

    func json(_ name: String, password: String? = nil) throws -> JSONClient {
        try JSONClient(port: port, name: name, password: password)
    }
}
