import ChatStore
import Foundation
import Testing

/// A fast client pipelines many lines in one write: the server batches them
/// per event loop (one buffer shared by a room's members), and every member
/// must still get every message, in order, in its own format, with other
/// traffic interleaved, and the batched history counters must add up.
@Suite(.timeLimit(.minutes(1))) struct BurstDeliveryTests {
    static let burst = 300

    @Test func aPipelinedBurstReachesEveryMemberInOrderAndNoOneElse() async throws {
        let server = try await TestServer.start()
        let ana = try server.text("ana")
        // Several members, so both of the server's event loops hold some.
        let members = try (0..<5).map { try server.text("m\($0)") }
        let bia = try server.json("bia")
        let caio = try server.json("caio")
        try caio.request("/entrar outra")
        try caio.request("/sairsala geral")
        let dani = try server.json("dani")

        ana.sendRaw(Array((0..<Self.burst).map { "rajada \($0)\n" }.joined().utf8))
        try dani.request("/privado m0 no meio da rajada")

        let expected = (0..<Self.burst).map { "rajada \($0)" }
        for client in [ana] + members {
            #expect(try Self.burstLines(client) == expected)
        }
        let whisper = "[privado] dani → m0: no meio da rajada"
        if !members[0].transcript.contains(where: { $0.contains(whisper) }) {
            try members[0].waitFor(containing: whisper)
        }
        var biaSaw: [String] = []
        while biaSaw.count < Self.burst {
            biaSaw.append(try bia.event("message") { $0.string("sender") == "ana" }.string("text") ?? "")
        }
        #expect(biaSaw == expected)
        #expect(!(try caio.eventsUntilBarrier()).contains { $0.string("sender") == "ana" })

        let directory = server.directory
        await server.stop()
        let state = try SQLiteStorage(directory: directory).load()
        #expect(state.messagesByUser["ana"] == Self.burst)
        #expect(state.messagesByUser["dani"] == 1)
        #expect(state.totalMessages == Self.burst + 1)
    }

    /// A JSON sender's results are queued between its room messages: each
    /// message still reaches the sender right before its own result, while
    /// the other members get the burst whole.
    @Test func aJSONSendersResultsStayBetweenItsMessages() async throws {
        let server = try await TestServer.start()
        let bia = try server.json("bia")
        let members = try (0..<4).map { try server.text("m\($0)") }
        bia.raw.sendRaw(Array((0..<Self.burst).map { #"{"type":"say","text":"rajada \#($0)","id":\#($0)}"# + "\n" }
            .joined().utf8))
        var order: [String] = []
        while order.count < 2 * Self.burst {
            guard let line = bia.raw.nextLine() else { throw ClientTimeout(waitingFor: "bia's burst", seen: order) }
            let object = JSONClient.decode(line)
            if object.string("type") == "message", object.string("sender") == "bia" {
                order.append("m:" + (object.string("text") ?? ""))
            } else if object.string("type") == "result" {
                order.append("r:rajada \(object["id"] as? Int ?? -1)")
            }
        }
        #expect(order == (0..<Self.burst).flatMap { ["m:rajada \($0)", "r:rajada \($0)"] })
        for member in members {
            #expect(try Self.burstLines(member, from: "bia") == (0..<Self.burst).map { "rajada \($0)" })
        }
        await server.stop()
    }

    /// The texts of `sender`'s burst lines as `client` received them.
    static func burstLines(_ client: LineClient, from sender: String = "ana") throws -> [String] {
        var seen: [String] = []
        while seen.count < burst {
            let line = try client.waitFor(containing: "<\(sender)> rajada").line
            seen.append(String(line[line.range(of: "rajada")!.lowerBound...]))
        }
        return seen
    }
}
