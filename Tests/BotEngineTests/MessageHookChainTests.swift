import BotEngine
import ChatCore
import Foundation
import Testing

/// The engine's side of message hooks, with Swift hooks standing in for
/// scripts: however a hook answers, the engine neither deadlocks nor loses
/// a message.
@Suite("Message hook chain", .timeLimit(.minutes(1)))
struct MessageHookChainTests {
    /// Waits until `condition` holds, for at most `seconds`.
    static func eventually(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(2000)
        }
        return condition()
    }

    /// A hook that decides on the calling thread (as a script refused for a
    /// full queue does) is called under the chat's lock: going on from
    /// there would take the lock again. The engine must carry on instead.
    @Test func aHookThatDecidesAtOnceDoesNotDeadlock() throws {
        let chat = try ChatHarness()
        chat.engine.hooks.add(MessageHook(origin: "sync") { inputs, decide in
            decide(inputs.map { .replace($0.text.uppercased()) }, [])
        })
        try chat.connect("ana")
        try chat.connect("bia")
        chat.run("ana", "oi")
        #expect(Self.eventually { chat.outbox.events(for: chat.endpoint("bia")!).contains { $0.text == "OI" } },
                "\(chat.outbox.entries(for: chat.endpoint("bia")!)) / \(chat.outbox.entries(for: chat.endpoint("ana")!))")
        #expect(chat.run("ana", "/ping")?.text == "pong" || Self.eventually { !chat.engine.hasLinesInFlight })
    }

    /// A hook that never answers: each message goes on after the deadline,
    /// in order, and the sender's next command is answered after them.
    @Test func aHookThatNeverAnswersDelaysButLosesNothing() throws {
        let chat = try ChatHarness()
        chat.engine.hookDeadline = 0.05
        chat.engine.hooks.add(MessageHook(origin: "mudo") { _, _ in })
        try chat.connect("ana")
        try chat.connect("bia")
        for text in ["um", "dois", "três"] { chat.run("ana", text) }
        chat.run("ana", "/ping")
        #expect(Self.eventually { !chat.engine.hasLinesInFlight })
        let said = chat.outbox.events(for: chat.endpoint("bia")!).filter { $0.kind == .message }.map(\.text)
        #expect(said == ["um", "dois", "três"])
        #expect(chat.outbox.replies(for: chat.endpoint("ana")!).last?.text == "pong")
    }

    /// A block from the first hook ends the message there; the next line
    /// of the same batch still passes.
    @Test func aBlockStopsOnlyItsMessage() throws {
        let chat = try ChatHarness()
        // Decided on a queue of the test's own, and with time to spare: this
        // test is about blocks, not deadlines.
        chat.engine.hookDeadline = 10
        let queue = DispatchQueue(label: "filtro")
        chat.engine.hooks.add(MessageHook(origin: "filtro") { inputs, decide in
            queue.async {
                decide(inputs.map { $0.text == "feio" ? .block(reason: "não") : .pass }, [])
            }
        })
        try chat.connect("ana")
        try chat.connect("bia")
        for text in ["antes", "feio", "depois"] { chat.run("ana", text) }
        #expect(Self.eventually { !chat.engine.hasLinesInFlight })
        let said = chat.outbox.events(for: chat.endpoint("bia")!).filter { $0.kind == .message }.map(\.text)
        #expect(said == ["antes", "depois"])
        #expect(chat.outbox.replies(for: chat.endpoint("ana")!).contains { $0.error == .blockedByBot("não") })
    }
}
