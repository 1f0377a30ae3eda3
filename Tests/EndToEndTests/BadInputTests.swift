import Foundation
import Testing

/// Hostile or broken input gets a clear answer and touches no one else.
@Suite(.timeLimit(.minutes(1))) struct BadInputTests {
    @Test func anOverlongLineIsRefusedAndTheConnectionKeepsWorking() async throws {
        let server = try await TestServer.start(maxLineBytes: 256)
        let ana = try server.text("ana")
        let bia = try server.json("bia")
        ana.send(String(repeating: "a", count: 10_000))
        try ana.waitFor(containing: "Linha longa demais (máximo de 256 bytes)")
        ana.send("/ping")
        try ana.waitFor(containing: "[papo] pong")
        #expect(!(try bia.eventsUntilBarrier()).contains { ($0.string("text") ?? "").hasPrefix("aaaa") })
        await server.stop()
    }

    @Test func invalidUTF8AndControlCharactersAreRefused() async throws {
        let server = try await TestServer.start()
        let ana = try server.text("ana")
        let bia = try server.json("bia")
        ana.sendRaw([0x6F, 0x69, 0xFF, 0xFE, 0x0A])
        try ana.waitFor(containing: "não é UTF-8 válido")
        ana.send("olha isso \u{1B}[2J\u{1B}]0;pwned\u{07}")
        try ana.waitFor(containing: "caracteres de controle")
        let seen = try bia.eventsUntilBarrier()
        #expect(!seen.contains { $0.string("type") == "message" })
        await server.stop()
    }

    @Test func commandMistakesGetClearErrors() async throws {
        let server = try await TestServer.start()
        let ana = try server.json("ana")
        let cases: [(String, String)] = [
            ("/privado", "missing_argument"), ("/privado bia", "missing_argument"), ("/entrar", "missing_argument"),
            ("/entrar sala!", "room_name_invalid"), ("/nome", "missing_argument"), ("/nome papo", "name_reserved"),
            ("/expulsar bia", "not_moderator"), ("/banir bia", "not_moderator"), ("/admin x", "wrong_password"),
            ("/entra x", "unknown_command"), ("   ", "message_empty"),
        ]
        for (line, code) in cases {
            let result = try ana.request(line).result
            #expect(result["ok"] as? Bool == false, "\(line)")
            #expect(result["code"] as? String == code, "\(line)")
            #expect((result["message"] as? String)?.isEmpty == false, "\(line)")
        }
        let bad = try LineClient(port: server.port)
        try bad.waitFor(containing: "Bem-vindo")
        bad.send("{not json")
        try bad.waitFor(containing: "bad_request")
        bad.send(#"{"type":"hello","name":"ok"}"#)
        try bad.waitFor(containing: "\"welcome\"")
        await server.stop()
    }

    /// The flooder's own replies fill its queue: closing it must not need
    /// the chat's lock while a delivery holds it (this deadlocked once).
    @Test func aClientFloodingCommandsWithoutReadingIsDisconnectedAndTheServerLives() async throws {
        let server = try await TestServer.start(maxOutboundBytes: 16 * 1024)
        let other = try server.json("outro")
        let flooder = try LineClient(port: server.port, receiveBuffer: 4096)
        flooder.send("enchente")
        let burst = Array(String(repeating: "/ajuda\n", count: 200).utf8)
        for _ in 0..<100 { flooder.sendRaw(burst) }
        #expect(flooder.waitForClose(timeout: 10))
        #expect(try other.request("/ping").result.string("text") == "pong")
        // The socket closes a moment before the server forgets the user.
        #expect(try other.eventually { !(try $0.request("/usuarios").result.string("text") ?? "").contains("enchente") })
        await server.stop()
    }

    @Test func aClientThatNeverReadsIsDisconnectedWithoutHurtingOthers() async throws {
        let server = try await TestServer.start(maxOutboundBytes: 64 * 1024)
        let sleeper = try LineClient(port: server.port, receiveBuffer: 4096)
        sleeper.send("dorminhoco")
        let talker = try server.json("falante")
        let listener = try server.json("ouvinte")
        let filler = String(repeating: "x", count: 1900)
        // About 10 MB: past the 64 KiB queue plus the kernel's socket buffers
        // (loopback send buffers grow to 4 MiB).
        for i in 0..<5000 {
            try talker.request("\(i) \(filler)")
            if i % 50 == 0 { _ = try listener.eventsUntilBarrier() }
        }
        #expect(sleeper.waitForClose(timeout: 10))
        #expect(try listener.eventually { !(try $0.request("/usuarios").result.string("text") ?? "").contains("dorminhoco") })
        #expect(try listener.request("/ping").result.string("text") == "pong")
        await server.stop()
    }
}
