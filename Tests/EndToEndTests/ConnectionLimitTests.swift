import Foundation
import Testing

/// Connection caps: a clear refusal past them, and room again once
/// someone leaves.
@Suite(.timeLimit(.minutes(1))) struct ConnectionLimitTests {
    @Test func pastTheCapANewConnectionIsRefusedClearly() async throws {
        let server = try await TestServer.start(maxConnections: 3)
        let ana = try server.json("ana"), bia = try server.json("bia"), caio = try server.text("caio")
        let fourth = try LineClient(port: server.port)
        try fourth.waitFor(containing: "O servidor está cheio (3 conexões)")
        #expect(fourth.waitForClose())
        caio.send("/sair")
        try ana.event("disconnect") { $0.string("sender") == "caio" }
        let again = try server.text("dani")
        again.send("/ping")
        try again.waitFor(containing: "pong")
        #expect(try bia.request("/ping").result["ok"] as? Bool == true)
        await server.stop()
    }

    @Test func oneAddressMayHoldOnlySoManyConnections() async throws {
        let server = try await TestServer.start(maxConnectionsPerAddress: 2)
        let ana = try server.json("ana")
        let raw = try LineClient(port: server.port)
        try raw.waitFor(containing: "Bem-vindo")
        let third = try LineClient(port: server.port)
        try third.waitFor(containing: "Conexões demais do seu endereço (máximo 2)")
        #expect(third.waitForClose())
        raw.close()
        // The freed slot is counted back (eventually: the close is seen asynchronously).
        #expect(try ana.eventually { _ in
            guard let next = try? LineClient(port: server.port),
                  let line = next.nextLine(timeout: 2) else { return false }
            return line.contains("Bem-vindo")
        })
        await server.stop()
    }
}
