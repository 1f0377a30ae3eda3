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

    @Test func anAdminPasswordIsMaskedOnScreenAndKeptOutOfHistory() async throws {
        let server = try await TestServer.start()
        let tmux = try Tmux(command: "\(PapoProcess.binary.path) connect --port \(server.port) --name ana")
        defer { tmux.kill() }
        try tmux.waitForScreen(containing: "Conectado como ana")
        tmux.send(keys: "olá", "Enter")
        try tmux.waitForScreen(containing: "<ana> olá")
        tmux.send(keys: "/admin segredo", "Enter")
        let screen = try tmux.waitForScreen(containing: "Agora você é administrador")
        #expect(screen.contains("ana@#geral> /admin ********"))
        #expect(!screen.contains("segredo"))
        // Up brings back the line before it, not the password: the line
        // being edited (the last on screen) becomes that one.
        tmux.send(keys: "Up")
        let edited = try tmux.waitForLastLine { $0 == "ana@#geral> olá" }
        #expect(!edited.contains("segredo"))
        tmux.send(keys: "C-u", "/sair", "Enter")
        try tmux.waitForScreen(containing: "EXIT=0")
        await server.stop()
    }

    /// Issue #11: a registered name asks for its password with echo off;
    /// no password is ever on screen or in the up-arrow history.
    @Test func aRegisteredNameAsksForItsPasswordUnseen() async throws {
        let server = try await TestServer.start()
        let owner = try server.json("ana")
        try owner.request("/registrar senha-da-ana")
        try owner.request("/sair")
        let tmux = try Tmux(command: "\(PapoProcess.binary.path) connect --port \(server.port) --name ana")
        defer { tmux.kill() }
        try tmux.waitForScreen(containing: "Senha:")
        tmux.send(keys: "errada-123", "Enter")
        try tmux.waitForScreen(containing: "Seu nome:")
        tmux.send(keys: "ana", "Enter")
        try tmux.waitForLastLine { $0.hasPrefix("Senha:") }
        tmux.send(keys: "senha-da-ana", "Enter")
        try tmux.waitForScreen(containing: "Conectado como ana")
        tmux.send(keys: "olá", "Enter")
        try tmux.waitForScreen(containing: "<ana> olá")
        tmux.send(keys: "/senha senha-da-ana senha-nova-1", "Enter")
        let screen = try tmux.waitForScreen(containing: "Senha trocada.")
        #expect(screen.contains("O nome ana está registrado. Qual é a senha?"))
        #expect(screen.contains("Senha incorreta."))
        #expect(screen.contains("ana@#geral> /senha ********"))
        for secret in ["errada-123", "senha-da-ana", "senha-nova-1"] {
            #expect(!screen.contains(secret), "\(secret) on screen")
        }
        tmux.send(keys: "Up")
        let edited = try tmux.waitForLastLine { $0 == "ana@#geral> olá" }
        #expect(!edited.contains("senha-nova-1") && !edited.contains("senha-da-ana"))
        tmux.send(keys: "C-u", "/sair", "Enter")
        try tmux.waitForScreen(containing: "EXIT=0")
        await server.stop()
    }

    /// Issue #12: the prompt follows the current room as the user joins,
    /// switches and leaves rooms.
    @Test func thePromptFollowsTheCurrentRoom() async throws {
        let server = try await TestServer.start()
        let tmux = try Tmux(command: "\(PapoProcess.binary.path) connect --port \(server.port) --name ana")
        defer { tmux.kill() }
        try tmux.waitForScreen(containing: "Conectado como ana")
        tmux.send(keys: "/entrar dev", "Enter")
        _ = try tmux.waitForLastLine { $0 == "ana@#dev>" }
        tmux.send(keys: "/sala geral", "Enter")
        _ = try tmux.waitForLastLine { $0 == "ana@#geral>" }
        tmux.send(keys: "/sairsala", "Enter")
        _ = try tmux.waitForLastLine { $0 == "ana@#dev>" }
        tmux.send(keys: "/sairsala", "Enter")
        let screen = try tmux.waitForLastLine { $0 == "ana>" }
        #expect(screen.contains("não está em nenhuma sala"))
        tmux.send(keys: "/sair", "Enter")
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

    /// Retried: when the previous test killed the last session, its tmux
    /// server may still be exiting, and a new session started in that
    /// moment fails.
    init(command: String) throws {
        let arguments = ["new-session", "-d", "-s", session, "-x", "120", "-y", "30",
                         "\(command); echo EXIT=$?; sleep 30"]
        for _ in 0..<20 {
            if (try? Self.run(arguments)) != nil { return }
            usleep(100_000)
        }
        try Self.run(arguments)
    }

    func send(keys: String...) {
        for key in keys { _ = try? Self.run(["send-keys", "-t", session, key]) }
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

    /// Waits until the last non-empty line on screen satisfies `match`; returns the screen.
    @discardableResult
    func waitForLastLine(timeout: TimeInterval = 10, _ match: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = screen()
            let line = last.split(separator: "\n").last { !$0.allSatisfy(\.isWhitespace) }
            if let line, match(String(line).trimmingCharacters(in: .whitespaces)) { return last }
            usleep(50_000)
        }
        throw ClientTimeout(waitingFor: "a last line that matches", seen: [last])
    }

    func kill() { _ = try? Self.run(["kill-session", "-t", session]) }

    /// Runs one tmux command on a socket of the tests' own, so a user's tmux
    /// is never touched. Spawned and reaped by hand (posix_spawn, waitpid):
    /// when this command starts the tmux server, Foundation's Process was
    /// seen never to notice the client's exit, and a pipe for its output
    /// stays open in the daemon. Output goes to a file instead, and no other
    /// descriptor is inherited.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("papo-tmux-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Nothing else of ours: NIO's accepted sockets are not close-on-exec,
        // and a tmux server that inherited one would keep that connection
        // open after Papo closes it (a ban's close then never reached the
        // banned client in one CI run).
        Self.closeFrom(3, in: &actions)
        let argv = (["tmux", "-L", "papo-tests"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // Signals as a shell would leave them: the test runner blocks some
        // (SIGWINCH among them), and a tmux server that inherited that mask
        // would hand it to every program it runs (ssh would never see a resize).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        guard posix_spawnp(&pid, "tmux", &actions, &attributes, argv, environ) == 0 else {
            throw TmuxFailed(arguments: arguments)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno == ECHILD { break } // reaped elsewhere: its output file is all we need
            guard errno == EINTR else { throw TmuxFailed(arguments: arguments) }
        }
        // Exited normally with status 0 (or reaped by someone else).
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else { throw TmuxFailed(arguments: arguments) }
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }

    struct TmuxFailed: Error { let arguments: [String] }

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+), looked up
    /// at run time: Swift's Glibc module does not export it.
    private static func closeFrom(_ first: Int32, in actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        // RTLD_DEFAULT is a null handle on glibc. An older glibc inherits as before.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return
        }
        _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, first)
    }
}
