import Foundation
import Testing

/// An admin edits bots/ under a running server and types /reload.
@Suite(.timeLimit(.minutes(1))) struct BotReloadTests {
    @Test func reloadOverTCPAddsBreaksKeepsAndRemovesCommands() async throws {
        let bots = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(at: bots, withIntermediateDirectories: true)
        func write(_ file: String, _ source: String) throws {
            try source.write(to: bots.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        try write("eco.lua", "papo.command{name = 'eco', run = function(ctx) return 'eco: ' .. ctx.args end}")
        let server = try await TestServer.start(bots: bots)
        let admin = try server.json("chefe"), user = try server.json("bia")
        try admin.request("/admin segredo")
        #expect(try user.request("/eco oi").result.string("text") == "eco: oi")

        try write("eco.lua", "papo.command{name = 'eco', run = function(ctx) return 'ECO: ' .. ctx.args end}")
        try write("novo.lua", "papo.command{name = 'novo', run = function() return 'novo!' end}")
        let report = try admin.request("/reload").result.string("text") ?? ""
        #expect(report.hasPrefix("Bots recarregados: 2 ok, 0 com erro."))
        #expect(try user.request("/eco oi").result.string("text") == "ECO: oi")
        #expect(try user.request("/novo").result.string("text") == "novo!")

        try write("eco.lua", "papo.command{name = 'eco', run = function(ctx) return 'quebrado' end")
        let broken = try admin.request("/reload").result.string("text") ?? ""
        #expect(broken.contains("✗ eco.lua: eco.lua:1:"))
        #expect(try user.request("/eco oi").result.string("text") == "ECO: oi")

        try FileManager.default.removeItem(at: bots.appendingPathComponent("novo.lua"))
        try admin.request("/reload")
        #expect(try user.request("/novo").result["code"] as? String == "unknown_command")
        #expect(try user.request("/reload").result["code"] as? String == "not_admin")
        await server.stop()
    }
}

@Suite(.timeLimit(.minutes(1))) struct BotHookOrderTests {
    /// A join hook that speaks must not get ahead of the server's welcome.
    @Test func theWelcomeComesBeforeAnythingAHookSays() async throws {
        let bots = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(at: bots, withIntermediateDirectories: true)
        try "papo.on('join', function(ev) papo.say('oi, ' .. ev.user) end)"
            .write(to: bots.appendingPathComponent("oi.lua"), atomically: true, encoding: .utf8)
        let server = try await TestServer.start(bots: bots)
        let client = try LineClient(port: server.port)
        try client.waitFor(containing: "Bem-vindo")
        client.send("ana")
        let (line, before) = try client.waitFor(containing: "<papo> oi, ana")
        #expect(before.count == 1 && before[0].hasPrefix("Olá, ana!"), "\(before) then \(line)")
        await server.stop()
    }
}
