import ArgumentParser
import BotEngine
import ChatCore
import ChatServer
import ChatStore
import IRCServer
import SSHServer
import Foundation
import Logging
import LuaBots
import NIOCore
import ServiceLifecycle

/// `papo serve`: runs the server until Ctrl-C or SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the chat server.")

    @Option(help: "Address to listen on; 0.0.0.0 serves the whole LAN.")
    var host = "127.0.0.1"

    @Option(help: "TCP port to listen on.")
    var port = 4242

    @Option(help: "Folder of the SQLite database.")
    var data = "./papo-data"

    @Option(help: "Folder of the Lua bots (*.lua), reloaded by admins with /reload.")
    var bots = "./bots"

    @Option(help: "File whose first line is the admin password (or set PAPO_ADMIN_PASSWORD).")
    var adminPasswordFile: String?

    @Option(help: "Longest accepted input line, in bytes.")
    var maxLineBytes = 4096

    @Option(help: "Flood control: lines a second one connection may send, sustained (0 turns flood control off).")
    var floodLines: Double = 10

    @Option(help: "Flood control: lines one connection may send at once.")
    var floodBurst: Double = 30

    @Option(help: "Flood control: bytes a second one connection may send, sustained.")
    var floodBytes: Double = 16384

    @Option(help: "Flood control: seconds a connection may stay over its limits before it is disconnected.")
    var floodDisconnectAfter: Double = 10

    @Option(help: "Seconds a new connection has to choose a name before it is closed.")
    var namingTimeout: Double = 60

    @Option(help: "Seconds a begun line may stay unfinished before the connection is closed.")
    var lineTimeout: Double = 60

    @Option(help: "Connections held at once (also capped by the open-file limit).")
    var maxConnections = 20_000

    @Option(help: "Connections held at once from one IP address (0: no limit).")
    var maxConnectionsPerAddress = 64

    @Option(help: "Rooms one user may be in at once (as IRC's CHANLIMIT).")
    var maxRoomsPerUser = RoomLimits().perUser

    @Option(help: "Rooms the server may hold in all.")
    var maxRooms = RoomLimits().total

    @Option(help: "New rooms one address may create in an hour (admins are not counted).")
    var maxNewRoomsPerHour = RoomLimits().createdPerHour

    @Option(help: "Kernel send buffer per connection, in bytes (0: the kernel's autotuning).")
    var sendBuffer = ServerConfig.defaultSendBufferBytes

    @Option(help: "CPU each Lua script may use, in seconds per second, sustained after a 1 s burst (0: no limit).")
    var botCPUShare = BotCPULimits().share

    @Option(help: "TLS: PEM file of the server's certificate chain (with --tls-key).")
    var tlsCert: String?

    @Option(help: "TLS: PEM file of the server's private key (with --tls-cert).")
    var tlsKey: String?

    @Option(help: "IRC: also listen for IRC clients (irssi, weechat...) on this port (docs/IRC.md).")
    var ircPort: Int?

    @Option(help: "IRC: the server name clients see in replies.")
    var ircServerName = "papo.local"

    @Option(help: "IRC: file whose first line is a password every IRC client must send with PASS (or set PAPO_IRC_PASSWORD); without one, PASS is a registered nick's password.")
    var ircPasswordFile: String?

    @Option(help: "IRC: file of NAME:PASSWORD lines for OPER, which makes the user a Papo admin.")
    var ircOperFile: String?

    @Option(help: "IRC: NAME:PASSWORD for OPER, repeatable (visible in ps: prefer --irc-oper-file).")
    var ircOper: [String] = []

    @Option(help: "SSH: also listen for ssh clients on this port: `ssh -p PORT name@host` (docs/SSH.md).")
    var sshPort: Int?

    @Option(help: "SSH: the host key file (default: ssh_host_ed25519_key in the data folder), made once with mode 0600.")
    var sshHostKey: String?

    @Flag(help: "SSH: let a name nobody registered in with any password, for users without an Ed25519 or ECDSA key.")
    var sshGuestPasswords = false

    @Option(help: "Event-loop threads (default: one less than the cores, at least one).")
    var threads = ServerConfig.defaultThreads

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard (64...1_048_576).contains(maxLineBytes) else {
            throw ValidationError("--max-line-bytes must be between 64 and 1048576")
        }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256") }
        guard namingTimeout > 0, lineTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard maxConnections > 0, maxConnectionsPerAddress >= 0 else {
            throw ValidationError("--max-connections must be positive, --max-connections-per-address 0 or more")
        }
        guard sendBuffer == 0 || (4096...(64 << 20)).contains(sendBuffer) else {
            throw ValidationError("--send-buffer must be 0 (the kernel's choice) or 4096...67108864 bytes")
        }
        guard botCPUShare == 0 || (0.001...64).contains(botCPUShare) else {
            throw ValidationError("--bot-cpu-share must be 0 (no limit) or between 0.001 and 64")
        }
        guard (1...1000).contains(maxRoomsPerUser), (1...1_000_000).contains(maxRooms), maxNewRoomsPerHour >= 1 else {
            throw ValidationError("--max-rooms-per-user must be 1...1000, --max-rooms 1...1000000, --max-new-rooms-per-hour 1 or more")
        }
        if let ircPort, !(0...65_535).contains(ircPort) { throw ValidationError("--irc-port must be 0...65535") }
        if let sshPort, !(0...65_535).contains(sshPort) { throw ValidationError("--ssh-port must be 0...65535") }
        guard ircServerName.contains("."), !ircServerName.contains(" "), ircServerName.utf8.count <= 63 else {
            throw ValidationError("--irc-server-name must look like a host name (with a dot, no spaces)")
        }
        for oper in ircOper where oper.split(separator: ":", maxSplits: 1).count != 2 {
            throw ValidationError("--irc-oper takes NAME:PASSWORD")
        }
        guard floodLines >= 0, floodBurst >= 1, floodBytes >= 1, floodDisconnectAfter > 0 else {
            throw ValidationError("flood limits must be positive (--flood-lines 0 turns flood control off)")
        }
    }

    func run() async throws {
        var logger = Logger(label: "papo")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let openFiles = FileLimit.raise()
        // Keep descriptors for the database, the bots folder and listening.
        let connectionLimit = min(maxConnections, max(16, openFiles - 64))
        logger.info("open-file limit: \(openFiles); at most \(connectionLimit) connections")
        let password = try AdminPassword.load(file: adminPasswordFile).map { try AdminPassword.hashed($0, logger: logger) }
        if password == nil {
            logger.notice("no admin password set: /admin is disabled (use --admin-password-file or PAPO_ADMIN_PASSWORD)")
        }
        // One process per data folder: a second server, or papo accounts, is refused.
        let folderLock = try DataFolderLock(directory: URL(fileURLWithPath: data))
        let storeLogger = logger
        let storage = try SQLiteStorage(directory: URL(fileURLWithPath: data)) { error in
            storeLogger.error("storage error: \(error)")
        }
        let chat = try Chat(storage: storage, outbox: PapoServer.makeOutbox(storage: storage),
                            limits: RoomLimits(perUser: maxRoomsPerUser, total: maxRooms,
                                               createdPerHour: maxNewRoomsPerHour))
        let botHost = try BotHost(chat: chat, bots: URL(fileURLWithPath: bots), adminPassword: password, logger: logger,
                                  botCPU: BotCPULimits(share: botCPUShare))
        let engine = botHost.engine
        let loaded = botHost.loadBots()
        logger.info("bots: \(loaded.filter { $0.error == nil }.count) loaded, \(loaded.filter { $0.error != nil }.count) failed")
        let server = PapoServer(engine: engine,
                                config: ServerConfig(host: host, port: port, maxLineBytes: maxLineBytes,
                                                     threads: threads, flood: floodLimits,
                                                     namingTimeout: .seconds(fractional: namingTimeout),
                                                     lineTimeout: .seconds(fractional: lineTimeout),
                                                     maxConnections: connectionLimit,
                                                     maxConnectionsPerAddress: maxConnectionsPerAddress,
                                                     tls: tlsFiles, sendBufferBytes: sendBuffer),
                                logger: logger)
        let irc = try ircPort.map { port in
            IRCServer(engine: engine, config: try ircConfig(port: port, logger: logger), frontEnd: server.frontEnd,
                      logger: logger)
        }
        let ssh = try sshPort.map { port in
            let key = sshHostKey ?? URL(fileURLWithPath: data).appendingPathComponent("ssh_host_ed25519_key").path
            return try SSHServer(engine: engine, config: SSHConfig(host: host, port: port, hostKeyPath: key,
                                                                   guestPasswords: sshGuestPasswords),
                                 frontEnd: server.frontEnd, logger: logger)
        }
        let service = ServerService(server: server, irc: irc, ssh: ssh, storage: storage, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        withExtendedLifetime(folderLock) {}
    }
}

/// Runs the server as a service: starts it, waits for the shutdown signal,
/// then says goodbye to clients, closes sockets and flushes history.
struct ServerService: Service {
    let server: PapoServer
    let irc: IRCServer?
    let ssh: SSHServer?
    let storage: SQLiteStorage
    let logger: Logger

    func run() async throws {
        try await server.start()
        try await irc?.start()
        try await ssh?.start()
        try? await gracefulShutdown()
        logger.info("shutting down")
        await irc?.stop()
        await ssh?.stop()
        await server.shutdown()
        storage.flush()
    }
}

extension Serve {
    /// The IRC front end's settings; its secrets come from files or the
    /// environment, as the admin password does (argv is public in `ps`).
    func ircConfig(port: Int, logger: Logger) throws -> IRCConfig {
        var lines = ircOper
        if !ircOper.isEmpty { logger.notice("--irc-oper shows its password in the process list: prefer --irc-oper-file") }
        if let ircOperFile {
            lines += try String(contentsOfFile: ircOperFile, encoding: .utf8).split(whereSeparator: \.isNewline)
                .map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        var operators: [String: String] = [:]
        for line in lines {
            let parts = line.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { throw ValidationError("IRC operators are NAME:PASSWORD lines") }
            operators[parts[0]] = parts[1]
        }
        var password = ProcessInfo.processInfo.environment["PAPO_IRC_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        if let ircPasswordFile {
            let first = try String(contentsOfFile: ircPasswordFile, encoding: .utf8).split(whereSeparator: \.isNewline).first
            guard let first, !first.isEmpty else { throw ValidationError("the IRC password file \(ircPasswordFile) is empty") }
            password = String(first)
        }
        return IRCConfig(host: host, port: port, serverName: ircServerName, password: password, operators: operators)
    }

    var tlsFiles: TLSFiles? {
        guard let tlsCert, let tlsKey else { return nil }
        return TLSFiles(certificateChain: tlsCert, privateKey: tlsKey)
    }

    /// nil when `--flood-lines 0` turns flood control off. The byte burst
    /// always fits a few lines of the longest length.
    var floodLimits: FloodLimits? {
        guard floodLines > 0 else { return nil }
        return FloodLimits(linesPerSecond: floodLines, burstLines: floodBurst, bytesPerSecond: floodBytes,
                           burstBytes: max(floodBytes * 4, Double(maxLineBytes + 1) * 4),
                           disconnectAfter: .seconds(fractional: floodDisconnectAfter))
    }
}

extension TimeAmount {
    /// A whole or fractional number of seconds, as given on the command line.
    static func seconds(fractional seconds: Double) -> TimeAmount {
        .nanoseconds(Int64(seconds * 1e9))
    }
}

/// Where the admin password comes from: a file or the environment, never argv
/// (which every local user can read in the process list).
enum AdminPassword {
    /// The stored (scrypt) form of `password`: a hash is checked, a plain
    /// password is hashed here and the operator is told how to stop
    /// keeping it in clear.
    static func hashed(_ password: String, logger: Logger) throws -> String {
        let credential = try PasswordHash(stored: password)
        if !password.hasPrefix(PasswordHash.prefix) {
            logger.notice("the admin password is kept in clear: store the line `papo hash-password` prints instead")
        }
        return credential.storedForm
    }

    static func load(file: String?) throws -> String? {
        if let file {
            let contents = try String(contentsOfFile: file, encoding: .utf8)
            let line = contents.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard !line.isEmpty else { throw ValidationError("the admin password file \(file) is empty") }
            return line
        }
        if let value = ProcessInfo.processInfo.environment["PAPO_ADMIN_PASSWORD"], !value.isEmpty {
            return value
        }
        return nil
    }
}
