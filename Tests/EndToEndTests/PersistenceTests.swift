import Foundation
import Testing

/// What survives a restart on the same data folder.
@Suite(.timeLimit(.minutes(1))) struct PersistenceTests {
    @Test func historyRoomsModeratorsBansAndStatsSurviveARestart() async throws {
        let directory = TestServer.temporaryDirectory()
        let first = try await TestServer.start(directory: directory)
        let ana = try first.json("ana"), bia = try first.json("bia")
        // A registered owner: a guest's rights would end with its connection.
        #expect(try ana.request("/registrar senha-da-ana").result["ok"] as? Bool == true)
        try ana.request("/entrar jogos")
        try ana.request("primeira mensagem")
        try ana.request("segunda mensagem")
        try bia.request("/entrar jogos")
        try ana.request("/banir bia")
        try ana.request("/privado bia psiu")
        await first.stop()

        let second = try await TestServer.start(directory: directory)
        // The name is ana's alone now: no password, no ana.
        #expect(throws: JSONClient.LoginRefused(code: "password_required")) { try second.json("ana") }
        let ana2 = try second.json("ana", password: "senha-da-ana"), bia2 = try second.json("bia")
        #expect(ana2.welcome["account"] as? String == "ana")
        let rooms = try ana2.request("/salas").result.string("text") ?? ""
        #expect(rooms.contains("#jogos — 0 pessoas · moderação: ana"))
        #expect(try bia2.request("/entrar jogos").result["code"] as? String == "banned")
        try ana2.request("/entrar jogos")
        let history = try ana2.request("/historico").result
        let texts = (history["items"] as? [[String: Any]] ?? []).compactMap { $0.string("text") }
        // The account's private message comes back too; bia was a guest, so
        // her new connection does not see it.
        #expect(texts == ["primeira mensagem", "segunda mensagem", "psiu"])
        let biaHistory = try bia2.request("/historico").result["items"] as? [[String: Any]] ?? []
        #expect(!biaHistory.contains { $0.string("text") == "psiu" })
        let stats = try ana2.request("/stats").result.string("text") ?? ""
        #expect(stats.contains("mensagens enviadas: 3"))
        #expect(stats.contains("mais ativos: ana (3)"))
        await second.stop()
    }

    @Test func historyShowsOwnPrivateMessagesButNotOthers() async throws {
        let server = try await TestServer.start()
        let ana = try server.json("ana"), bia = try server.json("bia"), carol = try server.json("carol")
        try ana.request("/privado bia para a bia")
        try carol.request("em público")
        let anaItems = try ana.request("/historico 5").result["items"] as? [[String: Any]] ?? []
        #expect(anaItems.map { $0.string("text") } == ["para a bia", "em público"])
        let biaItems = try bia.request("/historico").result["items"] as? [[String: Any]] ?? []
        #expect(biaItems.map { $0.string("text") } == ["para a bia", "em público"])
        let carolItems = try carol.request("/historico").result["items"] as? [[String: Any]] ?? []
        #expect(carolItems.map { $0.string("text") } == ["em público"])
        #expect(try carol.request("/historico abc").result["code"] as? String == "not_member")
        #expect(try carol.request("/historico 1000").result["message"] as? String
                == "Argumento inválido: '1000'. Uso: /historico [sala] [n], com n de 1 a 200")
        await server.stop()
    }
}
