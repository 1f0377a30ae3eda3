import ChatCore
import ChatStore
import Foundation
import Testing

/// The real `papo` binary: started, stopped with SIGTERM, started again on
/// the same data folder.
@Suite(.timeLimit(.minutes(1))) struct ProcessRestartTests {
    @Test func gracefulStopTellsClientsAndKeepsHistory() async throws {
        let data = TestServer.temporaryDirectory()
        let port = try FreePort.find()
        let first = try PapoProcess.serve(port: port, data: data)
        let ana = try LineClient.connectWithRetry(port: port)
        try ana.logIn(as: "ana")
        ana.send("antes do reinício")
        try ana.waitFor(containing: "<ana> antes do reinício")
        first.terminate()
        try ana.waitFor(containing: "O servidor está sendo encerrado")
        #expect(ana.waitForClose())
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)

        let second = try PapoProcess.serve(port: port, data: data)
        defer { second.terminate(); second.waitUntilExit() }
        let bia = try LineClient.connectWithRetry(port: port)
        try bia.logIn(as: "bia")
        bia.send("/historico")
        try bia.waitFor(containing: "Histórico de #geral (1 mensagem)")
        try bia.waitFor(containing: "<ana> antes do reinício")
    }
}

/// `kill -9` in the middle of a stream of messages, several times over one
/// data folder: every message the server acknowledged (its echo reached the
/// sender) must be in the history afterwards. PAPO_KILL_ROUNDS sets the
/// number of kills (3 by default; docs/RELIABILITY.md reports a run of 10).
@Suite(.timeLimit(.minutes(2))) struct KillNineTests {
    @Test func everyAcknowledgedMessageSurvivesKillNine() async throws {
        let rounds = Int(ProcessInfo.processInfo.environment["PAPO_KILL_ROUNDS"] ?? "") ?? 3
        let data = TestServer.temporaryDirectory()
        var acknowledged: [String] = []
        for round in 0..<rounds {
            let port = try FreePort.find()
            let server = try PapoProcess.serve(port: port, data: data, extra: ["--flood-lines", "0"])
            let client = try LineClient.connectWithRetry(port: port)
            try client.logIn(as: "r\(round)")
            let echo = "<r\(round)> "
            client.sendRaw(Array((0..<400).map { "m\(round)-\($0)\n" }.joined().utf8))
            var acks = 0
            while acks < 150, let line = client.nextLine() {
                if let range = line.range(of: echo) {
                    acknowledged.append(String(line[range.upperBound...]))
                    acks += 1
                }
            }
            kill(server.processIdentifier, SIGKILL)
            // Echoes already sent before the kill count as acknowledged too.
            while let line = client.nextLine(timeout: 2) {
                if let range = line.range(of: echo) { acknowledged.append(String(line[range.upperBound...])) }
            }
            server.waitUntilExit()
        }
        let stored = Set(try Self.history(SQLiteStorage(directory: data)))
        let lost = acknowledged.filter { !stored.contains($0) }
        print("kill -9 rounds: \(rounds), acknowledged messages: \(acknowledged.count), lost: \(lost.count)")
        #expect(acknowledged.count >= 150 * rounds)
        #expect(lost.isEmpty, "lost after kill -9: \(lost.prefix(10))")
    }

    static func history(_ store: SQLiteStorage) throws -> [String] {
        final class Box: @unchecked Sendable { var texts: [String] = [] }
        let box = Box(), done = DispatchSemaphore(value: 0)
        store.history(room: "geral", viewer: HistoryViewer(session: "none"), limit: 100_000) { messages in
            box.texts = messages.map(\.text)
            done.signal()
        }
        done.wait()
        return box.texts
    }
}

/// Locates and launches the `papo` executable built beside the tests.
enum PapoProcess {
    static var binary: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("papo")
    }

    /// - Parameter log: a file the server's log (standard error) is appended to.
    static func serve(port: Int, data: URL, extra: [String] = [], log: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = binary
        // An empty bots folder: the shipped bots would add their own messages.
        process.arguments = ["serve", "--port", String(port), "--data", data.path,
                             "--bots", data.appendingPathComponent("no-bots").path, "--log-level", "warning"] + extra
        process.standardOutput = FileHandle.nullDevice
        if let log {
            if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
            let handle = try FileHandle(forWritingTo: log)
            handle.seekToEndOfFile()
            process.standardError = handle
        }
        try process.run()
        return process
    }
}

enum FreePort {
    /// Asks the kernel for a free loopback port.
    static func find() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension LineClient {
    /// Connects, retrying for up to five seconds while the server starts.
    static func connectWithRetry(port: Int) throws -> LineClient {
        let deadline = Date().addingTimeInterval(5)
        while true {
            do { return try LineClient(port: port) } catch {
                if Date() > deadline { throw error }
                usleep(50_000)
            }
        }
    }
}
