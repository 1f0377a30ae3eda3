import ChatServer
import Foundation
import NIOCore
import Testing

/// Flood control over real sockets: a flooder is slowed (its lines wait,
/// none is lost), warned, and disconnected if it keeps on; everyone else
/// chats on meanwhile.
@Suite(.timeLimit(.minutes(1))) struct FloodTests {
    @Test func aFlooderIsSlowedWarnedThenDisconnectedWhileOthersChatOn() async throws {
        let limits = FloodLimits(linesPerSecond: 20, burstLines: 5, bytesPerSecond: 1_000_000, burstBytes: 1_000_000,
                                 disconnectAfter: .seconds(2))
        let server = try await TestServer.start(flood: limits)
        let ana = try server.json("ana"), bia = try server.json("bia")
        let flooder = try server.text("ze")
        flooder.sendRaw(Array((0..<200).map { "spam \($0)\n" }.joined().utf8))

        try flooder.waitFor(containing: "[erro] Devagar!")
        // The others are not held up: a round trip and a message go through.
        #expect(try ana.request("/ping").result["text"] as? String == "pong")
        try bia.request("oi, ana")
        try ana.event("message") { $0.string("sender") == "bia" && $0.string("text") == "oi, ana" }

        try flooder.waitFor(containing: "Desconectado por enviar rápido demais")
        #expect(flooder.waitForClose(timeout: 10))
        try ana.event("disconnect") { $0.string("sender") == "ze" }
        // What got through came in order, without gaps, at about the allowed rate.
        let events: [[String: Any]] = ana.raw.transcript.map(JSONClient.decode)
        let spam: [String] = events.filter { $0.string("sender") == "ze" && $0.string("type") == "message" }
            .compactMap { $0.string("text") }
        #expect(spam == (0..<spam.count).map { "spam \($0)" })
        #expect(spam.count >= 5 && spam.count < 200)
        await server.stop()
    }

    @Test func aPasteOverTheBurstIsWarnedButArrivesWhole() async throws {
        let limits = FloodLimits(linesPerSecond: 40, burstLines: 10, bytesPerSecond: 1_000_000, burstBytes: 1_000_000,
                                 disconnectAfter: .seconds(10))
        let server = try await TestServer.start(flood: limits)
        let ana = try server.json("ana")
        let paster = try server.text("colador")
        paster.sendRaw(Array((0..<40).map { "linha \($0)\n" }.joined().utf8))
        try paster.waitFor(containing: "[erro] Devagar!")
        var seen: [String] = []
        while seen.count < 40 {
            seen.append(try ana.event("message") { $0.string("sender") == "colador" }.string("text") ?? "")
        }
        #expect(seen == (0..<40).map { "linha \($0)" })
        // Still connected, and back to normal once under the rate again.
        try await Task.sleep(for: .seconds(1))
        paster.send("/ping")
        try paster.waitFor(containing: "pong")
        await server.stop()
    }
}
