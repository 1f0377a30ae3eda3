import Foundation
import NIOCore
import Testing

/// Slowloris: connections that never choose a name, or begin a line and
/// never end it, are closed with a reason; nobody else notices.
@Suite(.timeLimit(.minutes(1))) struct TimeoutTests {
    @Test func aConnectionThatChoosesNoNameIsClosedInTime() async throws {
        let server = try await TestServer.start(namingTimeout: .milliseconds(500))
        let ana = try server.json("ana")
        let silent = try LineClient(port: server.port)
        let dribbler = try LineClient(port: server.port)
        dribbler.sendRaw(Array("an".utf8))  // a name begun, never finished
        try silent.waitFor(containing: "Tempo esgotado: nenhum nome escolhido")
        #expect(silent.waitForClose())
        try dribbler.waitFor(containing: "Tempo esgotado")
        #expect(dribbler.waitForClose())
        #expect(try ana.request("/ping").result["text"] as? String == "pong")
        await server.stop()
    }

    @Test func aLineLeftUnfinishedClosesTheConnectionAndTheRoomIsTold() async throws {
        let server = try await TestServer.start(lineTimeout: .milliseconds(500))
        let ana = try server.json("ana")
        let bia = try server.text("bia")
        bia.send("uma linha inteira")
        try ana.event("message") { $0.string("text") == "uma linha inteira" }
        bia.sendRaw(Array("meia li".utf8))
        try bia.waitFor(containing: "Tempo esgotado: uma linha ficou incompleta")
        #expect(bia.waitForClose())
        try ana.event("disconnect") { $0.string("sender") == "bia" }
        await server.stop()
    }

    @Test func linesThatArriveInPiecesButEndInTimeAreFine() async throws {
        // Generous next to the 400 ms the pieces take: parallel tests can
        // hold up this task's wake-ups.
        let server = try await TestServer.start(lineTimeout: .seconds(3))
        let ana = try server.json("ana")
        let bia = try server.text("bia")
        for piece in ["em ", "peda", "ços\n"] {
            bia.sendRaw(Array(piece.utf8))
            // Blocking on purpose: an await could resume seconds late when
            // parallel tests hold the cooperative threads.
            usleep(200_000)
        }
        try ana.event("message") { $0.string("text") == "em pedaços" }
        // No timer left behind by the pieces fires after the line ended.
        try await Task.sleep(for: .milliseconds(3200))
        bia.send("/ping")
        try bia.waitFor(containing: "pong")
        await server.stop()
    }
}
