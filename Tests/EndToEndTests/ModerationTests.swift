import Foundation
import Testing

/// Kick and ban over real sockets.
@Suite(.timeLimit(.minutes(1))) struct ModerationTests {
    @Test func aKickedUserLeavesThatRoomOnlyAndMayReturn() async throws {
        let server = try await TestServer.start()
        let ana = try server.json("ana"), bia = try server.json("bia")
        try ana.request("/entrar jogos")
        try bia.request("/entrar jogos")
        let refused = try bia.request("/expulsar ana").result
        #expect(refused["code"] as? String == "not_moderator")
        #expect(try ana.request("/expulsar bia").result["ok"] as? Bool == true)
        try bia.event("kick") { $0.string("target") == "bia" && $0.string("room") == "jogos" }
        // Out of #jogos only: bia still is in #geral, which is her current room now.
        try bia.event("current") { $0.string("room") == "geral" }
        #expect(try bia.request("/entrar jogos").result["ok"] as? Bool == true)
        await server.stop()
    }

    @Test func aBannedUserCannotReturnEvenAfterARename() async throws {
        let server = try await TestServer.start()
        let ana = try server.json("ana"), bia = try server.json("bia")
        try ana.request("/entrar jogos")
        try bia.request("/entrar jogos")
        try ana.request("/banir bia")
        try bia.event("ban") { $0.string("target") == "bia" }
        #expect(try bia.request("/entrar jogos").result["code"] as? String == "banned")
        try bia.request("/nome bianca")
        #expect(try bia.request("/entrar jogos").result["code"] as? String == "banned")
        try ana.request("/desbanir bia")
        #expect(try bia.request("/entrar jogos").result["ok"] as? Bool == true)
        await server.stop()
    }

    @Test func anAdminBanFromGeralDisconnectsAndBarsReconnecting() async throws {
        let server = try await TestServer.start()
        let admin = try server.json("chefe"), bia = try server.json("bia")
        #expect(try admin.request("/banir bia").result["code"] as? String == "not_moderator")
        #expect(try admin.request("/admin errada").result["code"] as? String == "wrong_password")
        #expect(try admin.request("/admin segredo").result["ok"] as? Bool == true)
        try admin.request("/banir bia")
        try bia.event("ban")
        #expect(bia.raw.waitForClose())
        #expect(throws: JSONClient.LoginRefused.self) { try server.json("bia") }
        try admin.request("/expulsar ninguem")
        let kicked = try server.json("carol")
        try admin.request("/expulsar carol")
        #expect(kicked.raw.waitForClose())
        _ = try server.json("carol")
        await server.stop()
    }
}
