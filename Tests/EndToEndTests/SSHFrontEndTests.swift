import BotEngine
import ChatCore
import ChatServer
import Foundation
import SSHServer
import Testing

/// Issue #15 with the real OpenSSH client (Debian's openssh-client): in
/// tmux for terminal sessions, as a process for exec, beside nc users.
@Suite(.timeLimit(.minutes(2)), .serialized) struct SSHFrontEndTests {
    /// A folder with two fresh Ed25519 keys (`ana` and `outra`) and a known_hosts file.
    struct Keys {
        let folder = TestServer.temporaryDirectory()

        init() throws {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for name in ["ana", "outra"] {
                let result = try SSH.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name,
                                          "-f", folder.appendingPathComponent(name).path])
                guard result.status == 0 else { throw SSH.Failed(result: result) }
            }
        }

        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        func publicLine(_ name: String) throws -> String {
            try String(contentsOfFile: path(name) + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// `ssh` with this folder's known_hosts (under one alias, whatever the
        /// port), only the keys named, no prompts.
        func ssh(port: Int, as user: String, keys: [String] = ["ana"], strict: Bool = false, extra: [String] = []) -> String {
            (["ssh", "-p", "\(port)", "-o", "UserKnownHostsFile=\(path("known_hosts"))", "-o", "HostKeyAlias=papo-test",
              "-o", "StrictHostKeyChecking=\(strict ? "yes" : "accept-new")", "-o", "IdentitiesOnly=yes",
              "-o", "BatchMode=yes", "-o", "LogLevel=error"] + keys.flatMap { ["-i", path($0)] } + extra
             + ["\(user)@127.0.0.1"]).joined(separator: " ")
        }
    }

    static func config(_ directory: URL, guestPasswords: Bool = false) -> SSHConfig {
        SSHConfig(host: "127.0.0.1", port: 0, hostKeyPath: directory.appendingPathComponent("ssh_host_ed25519_key").path,
                  guestPasswords: guestPasswords)
    }

    static func start(_ directory: URL = TestServer.temporaryDirectory()) async throws -> TestServer {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try await TestServer.start(directory: directory, ssh: config(directory))
    }

    @Test func aTerminalSessionChatsWithAnNcUserAndKeepsTheHalfTypedLine() async throws {
        let server = try await Self.start()
        let keys = try Keys()
        let ana = try Tmux(command: keys.ssh(port: server.sshPort, as: "ana"))
        defer { ana.kill() }
        try ana.waitForScreen(containing: "Conectado como ana em #geral")
        let bia = try server.text("bia")
        try ana.waitForScreen(containing: "bia entrou no chat")
        ana.send(keys: "meio digit")
        try ana.waitForLastLine { $0 == "[#geral] meio digit" }
        bia.send("oi ana, ação!")
        // The message shows above, the half-typed line stays below, intact.
        let screen = try ana.waitForScreen(containing: "#geral <bia> oi ana, ação!")
        let lines = screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        #expect(lines.last == "[#geral] meio digit")
        ana.send(keys: "ado", "Enter")
        try bia.waitFor(containing: "#geral <ana> meio digitado")
        // Own messages are shown once, in the room's format.
        let after = try ana.waitForScreen(containing: "#geral <ana> meio digitado")
        #expect(after.components(separatedBy: "meio digitado").count == 2)
        #expect(!after.contains("\u{FFFD}"))
        // A narrower terminal: the long typed line scrolls within it.
        // Typed at once: the keys may reach the server before the window-change does.
        try Tmux.run(["resize-window", "-t", ana.session, "-x", "40"])
        ana.send(keys: String(repeating: "x", count: 60))
        try ana.waitForLastLine { $0.hasPrefix("[#geral] x") && $0.count <= 40 }
        ana.send(keys: "C-u", "/entrar dev", "Enter")
        try ana.waitForLastLine { $0 == "[#dev]" }
        ana.send(keys: "C-d")
        try ana.waitForScreen(containing: "EXIT=0")
        try bia.waitFor(containing: "ana saiu do chat")
        await server.stop()
    }

    @Test func execRunsOneCommandAndExitsWithItsStatus() async throws {
        let server = try await Self.start()
        let keys = try Keys()
        let bia = try server.text("bia")
        let ok = try SSH.shell(keys.ssh(port: server.sshPort, as: "ana") + " /usuarios")
        #expect(ok.status == 0)
        #expect(ok.output.hasPrefix("Usuários conectados (2):"), "\(ok)")
        #expect(ok.output.contains("bia — #geral"))
        let bad = try SSH.shell(keys.ssh(port: server.sshPort, as: "ana") + " /nada")
        #expect(bad.status == 1)
        #expect(bad.output.isEmpty && bad.errors.contains("Comando desconhecido: /nada"), "\(bad)")
        // exec users sit in no room: nobody saw them come and go.
        bia.send("/ping")
        let (_, before) = try bia.waitFor(containing: "pong")
        #expect(!before.contains { $0.contains("ana") })
        await server.stop()
    }

    @Test func aSessionWithoutAPtySpeaksPlainText() async throws {
        let server = try await Self.start()
        let keys = try Keys()
        let ana = try Tmux(command: keys.ssh(port: server.sshPort, as: "ana", extra: ["-T"]))
        defer { ana.kill() }
        try ana.waitForScreen(containing: "Olá, ana! Você está em #geral.")
        let bia = try server.text("bia")
        ana.send(keys: "oi bia", "Enter")
        try bia.waitFor(containing: "#geral <ana> oi bia")
        bia.send("oi ana")
        try ana.waitForScreen(containing: "#geral <bia> oi ana")
        ana.send(keys: "/sair", "Enter")
        try ana.waitForScreen(containing: "EXIT=0")
        await server.stop()
    }

    /// Flood control holds an SSH session's lines as it holds nc's, and
    /// disconnects it when it keeps on.
    @Test func floodControlAppliesToSSHSessions() async throws {
        let directory = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = try await TestServer.start(directory: directory,
                                                flood: FloodLimits(linesPerSecond: 2, burstLines: 5, disconnectAfter: .seconds(1)),
                                                ssh: Self.config(directory))
        let keys = try Keys()
        let bia = try server.text("bia")
        let flood = try SSH.shell(keys.ssh(port: server.sshPort, as: "ana", extra: ["-T"]),
                                  input: "(for i in $(seq 200); do echo linha $i; done; sleep 5)")
        #expect(flood.output.contains(ChatError.floodSlowed(linesPerSecond: 2).message), "\(flood)")
        #expect(flood.output.contains(ChatError.floodDisconnected.message), "\(flood)")
        bia.send("/ping")
        let (_, before) = try bia.waitFor(containing: "pong")
        let seen = before.filter { $0.contains("<ana> linha") }.count
        #expect(seen >= 5 && seen < 20, "bia saw \(seen) of ana's 200 lines")
        await server.stop()
    }

    @Test func aRegisteredNameLogsInOnlyWithOneOfItsKeys() async throws {
        let server = try await Self.start()
        let keys = try Keys()
        let dora = try server.text("dora")
        dora.send("/registrar senha-longa")
        try dora.waitFor(containing: "O nome dora agora é seu")
        dora.send("/chaves adicionar \(try keys.publicLine("ana"))")
        try dora.waitFor(containing: "adicionada")
        dora.send("/sair")
        _ = dora.waitForClose()
        let wrong = try SSH.shell(keys.ssh(port: server.sshPort, as: "dora", keys: ["outra"]) + " /conta")
        #expect(wrong.status == 255 && wrong.errors.contains("Permission denied"), "\(wrong)")
        // OpenSSH goes on to the next key when one is refused.
        let right = try SSH.shell(keys.ssh(port: server.sshPort, as: "dora", keys: ["outra", "ana"]) + " /conta")
        #expect(right.status == 0 && right.output.hasPrefix("Conta dora, registrada em"), "\(right)")
        // A guest's first key goes to the account it registers.
        let guest = try SSH.shell(keys.ssh(port: server.sshPort, as: "eva", keys: ["outra"]) + " /registrar senha-longa")
        #expect(guest.status == 0, "\(guest)")
        let again = try SSH.shell(keys.ssh(port: server.sshPort, as: "eva", keys: ["outra"]) + " /chaves")
        #expect(again.status == 0 && again.output.contains("Chaves SSH da sua conta (1):"), "\(again)")
        let stolen = try SSH.shell(keys.ssh(port: server.sshPort, as: "eva", keys: ["ana"]) + " /conta")
        #expect(stolen.status == 255, "\(stolen)")
        await server.stop()
    }

    @Test func theHostKeySurvivesARestart() async throws {
        let directory = TestServer.temporaryDirectory()
        let keys = try Keys()
        var server = try await Self.start(directory)
        let first = try SSH.shell(keys.ssh(port: server.sshPort, as: "ana") + " /ping")
        #expect(first.status == 0 && first.output == "pong\n", "\(first)")
        let fingerprint = server.ssh?.hostKeyDescription.fingerprint
        await server.stop()
        let file = directory.appendingPathComponent("ssh_host_ed25519_key").path
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        server = try await Self.start(directory)
        #expect(server.ssh?.hostKeyDescription.fingerprint == fingerprint)
        let second = try SSH.shell(keys.ssh(port: server.sshPort, as: "ana", strict: true) + " /ping")
        #expect(second.status == 0, "known_hosts still matches: \(second)")
        await server.stop()
    }

    @Test func anUnusableHostKeyFileIsAnErrorAndIsKept() async throws {
        let directory = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("ssh_host_ed25519_key")
        try "não é uma chave\n".write(to: file, atomically: true, encoding: .utf8)
        await #expect(throws: (any Error).self) {
            _ = try await TestServer.start(directory: directory, ssh: Self.config(directory))
        }
        #expect(try String(contentsOf: file, encoding: .utf8) == "não é uma chave\n")
    }
}

/// Runs OpenSSH's commands for the tests, bounded in time.
enum SSH {
    struct Result: CustomStringConvertible {
        var status: Int32
        var output: String
        var errors: String
        var description: String { "status \(status), out: \(output), err: \(errors)" }
    }

    struct Failed: Error { let result: Result }

    static func shell(_ command: String, input: String? = nil, timeout: TimeInterval = 20) throws -> Result {
        try run(["/bin/sh", "-c", input.map { "\($0) | \(command)" } ?? command + " < /dev/null"], timeout: timeout)
    }

    static func run(_ arguments: [String], timeout: TimeInterval = 20) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("papo-ssh-\(UUID().uuidString)")
        let err = out.appendingPathExtension("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      output: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      errors: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}
