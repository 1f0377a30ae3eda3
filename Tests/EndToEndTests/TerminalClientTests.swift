import Foundation
import Testing

/// `papo connect` in a real pseudo-terminal (tmux), typed at with send-keys
/// and read with capture-pane.
@Suite(.serialized, .timeLimit(.minutes(1))) struct TerminalClientTests {
    @Test func anIncomingMessageLeavesTheTypedLineIntact() async throws {
        let server = try await TestServer.start()
        let tmux = try Tmux(command: "\(PapoProcess.binary.path) connect --port \(server.port) --name ana")
        defer { tmux.kill() }
        try tmux.waitForScreen(containing: "Conectado como ana")
        let bia = try server.text("bia")
        tmux.send(keys: "ação pela met")
        try tmux.waitForScreen(containing: "ana@#geral> ação pela met")
        bia.send("chegou enquanto você digitava")
        try tmux.waitForScreen(containing: "<bia> chegou enquanto você digitava")
        let screen = try tmux.waitForScreen(containing: "ana@#geral> ação pela met")
        let lines = screen.split(separator: "\n")
        let incoming = lines.firstIndex { $0.contains("chegou enquanto você digitava") }
        let prompt = lines.lastIndex { $0.contains("ana@#geral> ação pela met") }
        #expect(incoming != nil && prompt != nil && incoming! < prompt!)
        tmux.send(keys: "ade", "Enter")
        try bia.waitFor(containing: "<ana> ação pela metade")
        tmux.send(keys: "Up")
        try tmux.waitForScreen(containing: "ana@#geral> ação pela metade")
        tmux.send(keys: "C-u", "/sair", "Enter")
        try bia.waitFor(containing: "ana saiu do chat")
        try tmux.waitForScreen(containing: "EXIT=0")
        await server.stop()
    }

    @Test func anUnreachableServerIsOneSentence() async throws {
        let port = try FreePort.find()
        let tmux = try Tmux(command: "\(PapoProcess.binary.path) connect --port \(port) --name ana")
        defer { tmux.kill() }
        let screen = try tmux.waitForScreen(containing: "EXIT=1")
        #expect(screen.contains("Não foi possível conectar a 127.0.0.1:\(port): conexão recusada"))
    }
}

/// A detached tmux session running one command; the shell prints its exit code.
struct Tmux {
    let session = "papo-test-\(UUID().uuidString.prefix(8))"

    init(command: String) throws {
        try Self.run(["new-session", "-d", "-s", session, "-x", "120", "-y", "30",
                      "\(command); echo EXIT=$?; sleep 30"])
    }

    func send(keys: String...) {
        for key in keys { try? Self.run(["send-keys", "-t", session, key]) }
    }

    func screen() -> String {
        (try? Self.run(["capture-pane", "-p", "-t", session])) ?? ""
    }

    @discardableResult
    func waitForScreen(containing text: String, timeout: TimeInterval = 10) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = screen()
            if last.contains(text) { return last }
            usleep(50_000)
        }
        throw ClientTimeout(waitingFor: "screen text \(text)", seen: [last])
    }

    func kill() { try? Self.run(["kill-session", "-t", session]) }

    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tmux"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TmuxFailed(arguments: arguments) }
        return String(decoding: data, as: UTF8.self)
    }

    struct TmuxFailed: Error { let arguments: [String] }
}
