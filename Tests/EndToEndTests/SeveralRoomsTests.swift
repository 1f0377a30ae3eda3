import Foundation
import Testing

/// Issue #12 over real sockets: users in overlapping rooms, each message
/// reaching exactly the members of its room, once; topics across a real
/// restart of the server process.
@Suite(.timeLimit(.minutes(1))) struct SeveralRoomsTests {
    @Test func overlappingRoomsKeepEveryMessageInItsRoom() async throws {
        let server = try await TestServer.start()
        let ana = try server.json("ana"), bia = try server.json("bia"), caio = try server.json("caio")
        let dani = try server.text("dani")
        for (client, rooms) in [(ana, ["a", "b"]), (bia, ["a"]), (caio, ["b"])] {
            for room in rooms { #expect(try client.request("/entrar \(room)").result["ok"] as? Bool == true) }
        }
        try caio.request("/sairsala geral")
        _ = try ana.eventsUntilBarrier(); _ = try bia.eventsUntilBarrier(); _ = try caio.eventsUntilBarrier()
        try ana.request("/sala a")
        // The sender's own echoes come before each request's result.
        var echoes = try ana.request("para a").before
        echoes += try ana.request("/em b para b").before
        // A JSON say may name its room, and says its text as it is.
        echoes += try ana.request("/literal em geral", type: "say", room: "geral").before
        let messages = { (objects: [[String: Any]]) in
            objects.filter { $0.string("type") == "message" }.map { "\($0.string("room") ?? "")/\($0.string("text") ?? "")" }
        }
        #expect(messages(echoes) == ["a/para a", "b/para b", "geral//literal em geral"])
        #expect(try messages(bia.eventsUntilBarrier()) == ["a/para a", "geral//literal em geral"])
        #expect(try messages(caio.eventsUntilBarrier()) == ["b/para b"])
        try dani.waitFor(containing: "#geral <ana> /literal em geral")
        #expect(!dani.transcript.contains { $0.contains("para a") || $0.contains("para b") })
        // A room one is not in, by JSON too.
        let refused = try caio.request("oi", type: "say", room: "a").result
        #expect(refused["code"] as? String == "not_member")
        await server.stop()
    }

    @Test func aTopicSurvivesARealRestartAndIsShownOnJoining() async throws {
        let data = TestServer.temporaryDirectory()
        let port = try FreePort.find()
        let first = try PapoProcess.serve(port: port, data: data)
        let ana = try LineClient.connectWithRetry(port: port)
        try ana.logIn(as: "ana")
        ana.send("/entrar cafe")
        try ana.waitFor(containing: "Sala #cafe criada")
        ana.send("/topico café coado às 10h")
        try ana.waitFor(containing: "#cafe * ana mudou o tópico para: café coado às 10h")
        first.terminate()
        first.waitUntilExit()
        let second = try PapoProcess.serve(port: port, data: data)
        defer { second.terminate(); second.waitUntilExit() }
        let bob = try LineClient.connectWithRetry(port: port)
        try bob.logIn(as: "bob")
        bob.send("/entrar cafe")
        try bob.waitFor(containing: "[papo] Tópico de #cafe: café coado às 10h")
        bob.send("/salas")
        try bob.waitFor(containing: "#cafe — 1 pessoa · tópico: café coado às 10h [sala atual]")
    }
}
