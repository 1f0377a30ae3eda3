import Foundation
import Testing

/// Issue #10 over real sockets: a hostile bot cannot get a room's members
/// disconnected, and cannot make anyone else wait.
@Suite(.timeLimit(.minutes(1))) struct HostileBotTests {
    static func server(with script: String, maxOutboundBytes: Int = 256 << 10) async throws -> TestServer {
        let bots = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(at: bots, withIntermediateDirectories: true)
        try script.write(to: bots.appendingPathComponent("ruim.lua"), atomically: true, encoding: .utf8)
        // A small outbound cap, as on a busy server: 19 MB of bot lines
        // would close every member as a non-reader.
        return try await TestServer.start(maxOutboundBytes: maxOutboundBytes, bots: bots)
    }

    /// 10,000 lines of 1,900 characters from one command: the room gets the
    /// bot's burst, nobody is disconnected, and the chat goes on.
    @Test func aSayFloodDisconnectsNobody() async throws {
        let server = try await Self.server(with: """
            papo.command{name = 'fala', run = function()
              local refused = 0
              for i = 1, 10000 do if not papo.say(string.rep('x', 1900)) then refused = refused + 1 end end
              return 'recusadas ' .. refused
            end}
            """)
        let ana = try server.text("ana"), bia = try server.text("bia")
        let caller = try server.json("caio")
        // The loop may also run out of its deadline on a loaded machine:
        // either way the script is held, and that is all this test is about.
        let result = try caller.request("/fala").result
        let reply = result.string("text") ?? ""
        #expect(reply.hasPrefix("recusadas 99") || result["code"] as? String == "bot_error", "\(result)")
        for client in [ana, bia] {
            client.send("/ping")
            let (_, before) = try client.waitFor(containing: "pong")
            #expect(before.filter { $0.contains("<papo> xxx") }.count <= 20)
        }
        #expect(try caller.request("/ping").result.string("text") == "pong")
        await server.stop()
    }

    /// While a command spends its whole deadline in a backtracking pattern,
    /// another user's /ping is answered at once.
    @Test func aCommandStuckInCDoesNotHoldUpOthers() async throws {
        let server = try await Self.server(with: """
            papo.command{name = 'trava', run = function()
              while true do pcall(string.find, string.rep('a', 1e5), '.-b') end
            end}
            """)
        let attacker = try server.text("atacante"), other = try server.json("bia")
        for _ in 0..<5 { attacker.send("/trava") }
        let started = Date()
        #expect(try other.request("/ping").result.string("text") == "pong")
        let seconds = Date().timeIntervalSince(started)
        #expect(seconds < 0.5, "/ping took \(seconds) s")
        let (line, _) = try attacker.waitFor(containing: "falhou", timeout: 10)
        #expect(line.contains("O comando /trava falhou"))
        await server.stop()
    }

    /// 20,000 lines sent at once through a message hook (more than may wait in
    /// the engine): the sender's input
    /// is held while its lines wait for the hook, so every line arrives, in
    /// order, and none is refused.
    @Test func aBurstThroughAHookLosesNothing() async throws {
        // A hook that takes a little while, so that lines pile up behind it.
        // The reader reads only once the sender is done: room for all of it.
        let server = try await Self.server(with: """
            papo.on_message(function(msg) local x = 0 for i = 1, 5000 do x = x + i end end)
            """, maxOutboundBytes: 16 << 20)
        let sender = try server.text("ana"), reader = try server.text("bia")
        let count = 20000
        sender.sendRaw(Array((0..<count).map { "linha \($0)\n" }.joined().utf8))
        sender.send("/ping")
        let (_, before) = try sender.waitFor(containing: "pong", timeout: 30)
        #expect(!before.contains { $0.contains("[erro]") }, "\(before.first { $0.contains("[erro]") } ?? "")")
        let (_, received) = try reader.waitFor(containing: "<ana> linha \(count - 1)", timeout: 30)
        let lines = received.filter { $0.contains("<ana> linha ") }
        #expect(lines.count == count - 1)
        #expect(lines.enumerated().allSatisfy { $0.element.hasSuffix("<ana> linha \($0.offset)") })
        await server.stop()
    }
}
