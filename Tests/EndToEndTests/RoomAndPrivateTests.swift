import Foundation
import Testing

/// Several real clients over loopback TCP: who sees what.
@Suite(.timeLimit(.minutes(1))) struct RoomAndPrivateTests {
    @Test func publicMessagesStayInTheirRoom() async throws {
        let server = try await TestServer.start()
        let ana = try server.json("ana"), bia = try server.json("bia"), carol = try server.json("carol")
        try ana.request("/entrar jogos")
        try bia.request("/entrar jogos")
        try ana.request("bom dia, jogos")
        let seen = try bia.event("message") { $0.string("text") == "bom dia, jogos" }
        #expect(seen.string("room") == "jogos")
        #expect(seen.string("sender") == "ana")
        #expect(seen.string("time")?.hasSuffix("Z") == true)
        let carolSaw = try carol.eventsUntilBarrier()
        #expect(!carolSaw.contains { $0.string("text") == "bom dia, jogos" })
        await server.stop()
    }

    @Test func privateMessagesReachOnlyTheRecipientAndTheSender() async throws {
        let server = try await TestServer.start()
        let ana = try server.json("ana"), bia = try server.json("bia"), carol = try server.json("carol")
        let (result, before) = try ana.request("/privado bia só entre nós")
        #expect(result["ok"] as? Bool == true)
        let echo = before.first { $0.string("type") == "private" }
        #expect(echo?.string("target") == "bia")
        let got = try bia.event("private")
        #expect(got.string("sender") == "ana")
        #expect(got.string("text") == "só entre nós")
        #expect(!(try carol.eventsUntilBarrier()).contains { $0.string("text") == "só entre nós" })
        let miss = try ana.request("/privado ninguem oi").result
        #expect(miss["code"] as? String == "no_such_user")
        await server.stop()
    }

    @Test func namesAreUniqueAndATakenNameIsAskedAgainOnTheSameConnection() async throws {
        let server = try await TestServer.start()
        let first = try server.text("Ana")
        let second = try LineClient(port: server.port)
        try second.waitFor(containing: "Bem-vindo")
        second.send("ana")
        try second.waitFor(containing: "já está em uso")
        second.send("")
        try second.waitFor(containing: "não pode ser vazio")
        second.send(String(repeating: "x", count: 80))
        try second.waitFor(containing: "Nome longo demais")
        second.send("ana2")
        try second.waitFor(containing: "Olá, ana2!")
        try first.waitFor(containing: "* ana2 entrou no chat")
        await server.stop()
    }

    @Test func joinLeaveConnectAndDisconnectAreAnnounced() async throws {
        let server = try await TestServer.start()
        let ana = try server.text("ana")
        let bia = try server.text("bia")
        try ana.waitFor(containing: "#geral * bia entrou no chat")
        bia.send("/entrar jogos")
        try bia.waitFor(containing: "#jogos * bia entrou na sala")
        bia.send("/sairsala geral")
        try ana.waitFor(containing: "#geral * bia saiu da sala")
        bia.send("/entrar geral")
        try ana.waitFor(containing: "#geral * bia entrou na sala")
        bia.send("/sair fui almoçar")
        try bia.waitFor(containing: "Até logo!")
        #expect(bia.waitForClose())
        try ana.waitFor(containing: "* bia saiu do chat (fui almoçar)")
        await server.stop()
    }

    @Test func everyChatLineCarriesDateAndTime() async throws {
        let server = try await TestServer.start()
        let ana = try server.text("ana")
        ana.send("olá")
        let (line, _) = try ana.waitFor(containing: "<ana> olá")
        #expect(line.range(of: #"^\[\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}\] #geral <ana> olá$"#,
                           options: .regularExpression) != nil)
        await server.stop()
    }

    @Test func aVanishedClientIsRemovedAndAnnounced() async throws {
        let server = try await TestServer.start()
        let ana = try server.json("ana")
        let bia = try server.text("bia")
        bia.sendRaw(Array("meia linha sem fim".utf8))
        bia.close()
        try ana.event("disconnect") { $0.string("sender") == "bia" }
        let users = try ana.request("/usuarios").result.string("text") ?? ""
        #expect(!users.contains("bia"))
        #expect(!(try ana.eventsUntilBarrier()).contains { $0.string("text") == "meia linha sem fim" })
        await server.stop()
    }
}
