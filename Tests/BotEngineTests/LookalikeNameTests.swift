import BotEngine
import ChatCore
import Foundation
import Testing

/// No one may connect under a name that looks like an online user's; the
/// name is free again once that user leaves.
@Suite("Look-alike names")
struct LookalikeNameTests {
    @Test func aLookalikeIsRefusedAtLoginAndFreedWhenTheOtherLeaves() throws {
        let h = try ChatHarness()
        try h.connect("ana")
        #expect(h.connectResult("\u{0430}na") == .failure(.nameLookalike("\u{0430}na", like: "ana")))
        #expect(h.connectResult("ａｎａ") == .failure(.nameLookalike("ａｎａ", like: "ana")))
        #expect(h.connectResult("a.na") == .failure(.nameLookalike("a.na", like: "ana")))
        _ = h.run("ana", "/sair")
        #expect((try? h.connectResult("\u{0430}na").get().name) == "\u{0430}na")
    }
}
