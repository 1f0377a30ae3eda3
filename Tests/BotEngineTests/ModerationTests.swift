import BotEngine
import ChatCore
import Foundation
import Testing

// /expulsar, /banir, /desbanir.

/// ana moderates #dev, where bia also is; caio stays in #geral.
let anaModeratesDevWithBia = ["ana> /entrar dev", "bia> /entrar dev"]
/// As above, and bia has been banned from #dev (so she is back in #geral).
let biaBannedFromDev = anaModeratesDevWithBia + ["ana> /banir bia"]

/// #dev, kept by an earlier run: owned by ana's account, bia's account a moderator.
let devWithTwoModerators = PersistedState(accounts: [TestAccounts.record("ana"), TestAccounts.record("bia")], rooms: [
    RoomRecord(name: "dev", createdBy: "ana", createdAt: ManualClock.start, owner: TestAccounts.id("ana"),
               moderators: [TestAccounts.id("bia")]),
])

let expulsarCases: [CommandCase] = [
    CommandCase(name: "a user may not kick", line: "/expulsar bia", reply: .fails(.notModerator("geral")),
                rooms: ["bia": "geral"]),
    CommandCase(name: "permission is checked before arguments", line: "/expulsar",
                reply: .fails(.notModerator("geral"))),
    CommandCase(name: "a plain member of a room may not kick", setup: ["bia> /entrar dev", "ana> /entrar dev"],
                line: "/expulsar bia", reply: .fails(.notModerator("dev")), rooms: ["bia": "dev"]),
    CommandCase(name: "a moderator of another room may not kick here",
                setup: ["ana> /entrar dev", "bia> /entrar jogos", "caio> /entrar jogos", "ana> /entrar jogos"],
                line: "/expulsar caio", reply: .fails(.notModerator("jogos")), rooms: ["caio": "jogos"]),
    CommandCase(name: "a room's moderator is no moderator in #geral", setup: ["ana> /entrar dev", "ana> /entrar geral"],
                line: "/expulsar bia", reply: .fails(.notModerator("geral")), rooms: ["bia": "geral"]),
    CommandCase(name: "the moderator kicks: out of that room only, back to speaking in #geral",
                setup: anaModeratesDevWithBia, line: "/expulsar bia", reply: .text(""),
                events: ["ana": [.kick], "bia": [.kick]],
                details: [EventCheck(to: "ana", kind: .kick, room: "dev", sender: "ana", target: "bia")],
                rooms: ["ana": "dev", "bia": "geral"], joined: ["bia": ["geral"]]),
    CommandCase(name: "/kick is /expulsar; the name is case-insensitive", setup: anaModeratesDevWithBia,
                line: "/kick BIA", reply: .text(""),
                events: ["ana": [.kick], "bia": [.kick]],
                details: [EventCheck(to: "bia", kind: .kick, room: "dev", sender: "ana", target: "bia")],
                rooms: ["bia": "geral"]),
    CommandCase(name: "a kicked user may come back", setup: anaModeratesDevWithBia + ["ana> /expulsar bia"],
                caller: "bia", line: "/entrar dev", reply: .text(""),
                events: ["ana": [.join], "bia": [.join]], rooms: ["bia": "dev"]),
    CommandCase(name: "an admin kicking from #geral disconnects the target", setup: ["ana> /admin segredo"],
                line: "/expulsar bia", reply: .text(""),
                events: ["ana": [.kick], "bia": [.kick], "caio": [.kick]],
                details: [EventCheck(to: "caio", kind: .kick, room: "geral", sender: "ana", target: "bia")],
                disconnects: ["bia"], offline: ["bia"], names: ["ana", "caio"]),
    CommandCase(name: "kicked from #geral while in another room: out of #geral only, still connected",
                setup: ["ana> /admin segredo", "bia> /entrar dev", "bia> /sala geral"], line: "/expulsar bia",
                reply: .text(""), events: ["ana": [.kick], "bia": [.kick], "caio": [.kick]],
                rooms: ["bia": "dev"], joined: ["bia": ["dev"]]),
    CommandCase(name: "kicked from the only room one is in (not #geral): back to #geral",
                setup: ["bia> /entrar dev", "bia> /sairsala geral", "ana> /admin segredo", "ana> /entrar dev"],
                line: "/expulsar bia", reply: .text(""),
                events: ["ana": [.kick, .join], "bia": [.kick, .join], "caio": [.join]],
                rooms: ["bia": "geral"], joined: ["bia": ["geral"]]),
    CommandCase(name: "kicked off the server, one may reconnect",
                setup: ["ana> /admin segredo", "ana> /expulsar bia", "+bia"], caller: "bia", line: "/ping",
                reply: .text("pong"), rooms: ["bia": "geral"], names: ["ana", "bia", "caio"]),
    CommandCase(name: "an admin may kick a room's moderator",
                setup: ["bia> /entrar dev", "ana> /admin segredo", "ana> /entrar dev"],
                line: "/expulsar bia", reply: .text(""),
                events: ["ana": [.kick], "bia": [.kick]], rooms: ["bia": "geral"]),
    CommandCase(name: "a moderator may not kick an admin",
                setup: ["ana> /entrar dev", "bia> /admin segredo", "bia> /entrar dev"],
                line: "/expulsar bia", reply: .fails(.targetOutranks("bia")), rooms: ["bia": "dev"]),
    CommandCase(name: "an admin may not kick another admin", setup: ["ana> /admin segredo", "bia> /admin segredo"],
                line: "/kick bia", reply: .fails(.targetOutranks("bia")), rooms: ["bia": "geral"]),
    CommandCase(name: "moderators of one room may not kick each other", state: devWithTwoModerators,
                setup: anaModeratesDevWithBia, line: "/expulsar bia", reply: .fails(.targetOutranks("bia")),
                rooms: ["bia": "dev"]),
    CommandCase(name: "no such user", setup: ["ana> /entrar dev"], line: "/expulsar zeca",
                reply: .fails(.noSuchUser("zeca"))),
    CommandCase(name: "oneself", setup: ["ana> /entrar dev"], line: "/expulsar ana",
                reply: .fails(.cannotTargetSelf), rooms: ["ana": "dev"]),
    CommandCase(name: "someone in another room", setup: ["ana> /entrar dev"], line: "/expulsar caio",
                reply: .fails(.notInSameRoom("caio")), rooms: ["caio": "geral"]),
    CommandCase(name: "no name", setup: ["ana> /entrar dev"], line: "/expulsar",
                reply: .fails(.missingArgument(usage: "/expulsar <nome>"))),
]

let banirCases: [CommandCase] = [
    CommandCase(name: "a user may not ban", line: "/banir bia", reply: .fails(.notModerator("geral"))),
    CommandCase(name: "a plain member of a room may not ban", setup: ["bia> /entrar dev", "ana> /entrar dev"],
                line: "/banir bia", reply: .fails(.notModerator("dev")), rooms: ["bia": "dev"]),
    CommandCase(name: "the moderator bans: out of that room only", setup: anaModeratesDevWithBia,
                line: "/banir bia", reply: .text(""),
                events: ["ana": [.ban], "bia": [.ban]],
                details: [EventCheck(to: "bia", kind: .ban, room: "dev", sender: "ana", target: "bia")],
                rooms: ["ana": "dev", "bia": "geral"], joined: ["bia": ["geral"]]),
    CommandCase(name: "/ban is /banir; the name is case-insensitive", setup: anaModeratesDevWithBia,
                line: "/ban BIA", reply: .text(""),
                events: ["ana": [.ban], "bia": [.ban]], rooms: ["bia": "geral"]),
    CommandCase(name: "the banned may not come back", setup: biaBannedFromDev, caller: "bia", line: "/entrar dev",
                reply: .fails(.bannedFromRoom("dev")), rooms: ["bia": "geral"]),
    CommandCase(name: "nor under another spelling of the room", setup: biaBannedFromDev, caller: "bia",
                line: "/entrar #DEV", reply: .fails(.bannedFromRoom("dev"))),
    // Chat.ban promises a ban "by this connection (so a rename does not help)".
    CommandCase(name: "a rename does not lift the ban", setup: biaBannedFromDev + ["bia> /nome bea"],
                caller: "bia", line: "/entrar dev", reply: .fails(.bannedFromRoom("dev")), rooms: ["bia": "geral"]),
    CommandCase(name: "a rename does not lift a ban on a personal address", addresses: ["bia": "203.0.113.7"],
                setup: biaBannedFromDev + ["bia> /nome bea"], caller: "bia", line: "/entrar dev",
                reply: .fails(.bannedFromRoom("dev"))),
    CommandCase(name: "others on the banned personal address are barred too", addresses: ["bia": "203.0.113.7"],
                setup: biaBannedFromDev + ["+zeca@203.0.113.7"], caller: "zeca", line: "/entrar dev",
                reply: .fails(.bannedFromRoom("dev")), rooms: ["zeca": "geral"]),
    CommandCase(name: "a shared loopback address bars nobody else", addresses: ["bia": "127.0.0.1"],
                setup: biaBannedFromDev + ["+zeca@127.0.0.1"], caller: "zeca", line: "/entrar dev",
                reply: .text(""), events: ["ana": [.join], "zeca": [.join]], rooms: ["zeca": "dev"]),
    CommandCase(name: "the banned may still talk in #geral", setup: biaBannedFromDev, caller: "bia",
                line: "ainda estou aqui", reply: .text(""),
                events: ["ana": [.message], "bia": [.message], "caio": [.message]]),
    CommandCase(name: "an admin banning in #geral disconnects the target", setup: ["ana> /admin segredo"],
                line: "/banir bia", reply: .text(""),
                events: ["ana": [.ban], "bia": [.ban], "caio": [.ban]],
                details: [EventCheck(to: "caio", kind: .ban, room: "geral", sender: "ana", target: "bia")],
                disconnects: ["bia"], offline: ["bia"], names: ["ana", "caio"]),
    CommandCase(name: "a moderator may not ban an admin",
                setup: ["ana> /entrar dev", "bia> /admin segredo", "bia> /entrar dev"],
                line: "/banir bia", reply: .fails(.targetOutranks("bia")), rooms: ["bia": "dev"]),
    CommandCase(name: "moderators of one room may not ban each other", state: devWithTwoModerators,
                setup: anaModeratesDevWithBia, line: "/banir bia", reply: .fails(.targetOutranks("bia"))),
    CommandCase(name: "no such user", setup: ["ana> /entrar dev"], line: "/banir zeca",
                reply: .fails(.noSuchUser("zeca"))),
    CommandCase(name: "oneself", setup: ["ana> /entrar dev"], line: "/banir ana", reply: .fails(.cannotTargetSelf)),
    CommandCase(name: "someone in another room", setup: ["ana> /entrar dev"], line: "/banir caio",
                reply: .fails(.notInSameRoom("caio")), rooms: ["caio": "geral"]),
    CommandCase(name: "no name", setup: ["ana> /entrar dev"], line: "/banir",
                reply: .fails(.missingArgument(usage: "/banir <nome | padrão>"))),
    CommandCase(name: "a pattern is announced and removes nobody", setup: anaModeratesDevWithBia, line: "/banir b*",
                reply: .text(""), events: ["ana": [.ban], "bia": [.ban]],
                details: [EventCheck(to: "bia", kind: .ban, room: "dev", sender: "ana", target: "b*")], rooms: ["bia": "dev"]),
    CommandCase(name: "a pattern bars the names it fits", setup: ["ana> /entrar dev", "ana> /banir b?a"], caller: "bia",
                line: "/entrar dev", reply: .fails(.bannedFromRoom("dev")), rooms: ["bia": "geral"]),
    CommandCase(name: "and no other", setup: ["ana> /entrar dev", "ana> /banir b*"], caller: "caio", line: "/entrar dev",
                reply: .text(""), events: ["ana": [.join], "caio": [.join]], rooms: ["caio": "dev"]),
    CommandCase(name: "an exception lets a name through a pattern", setup: ["ana> /entrar dev", "ana> /banir b*", "ana> /modo +e bia"],
                caller: "bia", line: "/entrar dev", reply: .text(""), events: ["ana": [.join], "bia": [.join]], rooms: ["bia": "dev"]),
    CommandCase(name: "and through a ban of that very connection", setup: biaBannedFromDev + ["ana> /modo +e b*"],
                caller: "bia", line: "/entrar dev", reply: .text(""), events: ["ana": [.join], "bia": [.join]]),
    CommandCase(name: "a pattern with what no name has", setup: ["ana> /entrar dev"], line: "/banir b*!",
                reply: .fails(.nameInvalid("b*!"))),
]

let desbanirCases: [CommandCase] = [
    CommandCase(name: "lifts a pattern", setup: ["ana> /entrar dev", "ana> /banir B*"], line: "/desbanir b*",
                reply: .text("b* pode voltar a #dev."), events: ["ana": [.unban]],
                details: [EventCheck(to: "ana", kind: .unban, room: "dev", target: "B*")]),
    CommandCase(name: "lifts the ban and tells the room", setup: biaBannedFromDev, line: "/desbanir bia",
                reply: .text("bia pode voltar a #dev."),
                events: ["ana": [.unban]],
                details: [EventCheck(to: "ana", kind: .unban, room: "dev", sender: "ana", target: "bia")]),
    CommandCase(name: "/unban is /desbanir; the name is case-insensitive", setup: biaBannedFromDev,
                line: "/unban BIA", reply: .text("BIA pode voltar a #dev."),
                events: ["ana": [.unban]],
                details: [EventCheck(to: "ana", kind: .unban, room: "dev", target: "bia")]),
    CommandCase(name: "the whole room is told, the unbanned user elsewhere is not",
                setup: ["ana> /entrar dev", "bia> /entrar dev", "caio> /entrar dev", "ana> /banir bia"],
                line: "/desbanir bia", reply: .text("bia pode voltar a #dev."),
                events: ["ana": [.unban], "caio": [.unban]]),
    CommandCase(name: "then the user may come back", setup: biaBannedFromDev + ["ana> /desbanir bia"],
                caller: "bia", line: "/entrar dev", reply: .text(""),
                events: ["ana": [.join], "bia": [.join]], rooms: ["bia": "dev"]),
    CommandCase(name: "lifting the ban by the banned name also frees a user who renamed since",
                setup: biaBannedFromDev + ["bia> /nome bea", "ana> /desbanir bia"], caller: "bia",
                line: "/entrar dev", reply: .text(""),
                events: ["ana": [.join], "bia": [.join]], rooms: ["bia": "dev"]),
    CommandCase(name: "someone never banned", setup: ["ana> /entrar dev"], line: "/desbanir zeca",
                reply: .fails(.notBanned("zeca"))),
    CommandCase(name: "lifting twice", setup: biaBannedFromDev + ["ana> /desbanir bia"], line: "/desbanir bia",
                reply: .fails(.notBanned("bia"))),
    CommandCase(name: "a ban in another room is not lifted from here", setup: biaBannedFromDev + ["ana> /entrar arte"],
                line: "/desbanir bia", reply: .fails(.notBanned("bia"))),
    CommandCase(name: "a user may not lift bans", line: "/desbanir bia", reply: .fails(.notModerator("geral"))),
    CommandCase(name: "a plain member may not lift bans", setup: ["bia> /entrar dev", "ana> /entrar dev"],
                line: "/desbanir caio", reply: .fails(.notModerator("dev"))),
    CommandCase(name: "no name", setup: ["ana> /entrar dev"], line: "/desbanir",
                reply: .fails(.missingArgument(usage: "/desbanir <nome>"))),
    CommandCase(name: "an admin lifts a #geral ban", setup: ["ana> /admin segredo", "ana> /banir bia"],
                line: "/desbanir bia", reply: .text("bia pode voltar a #geral."),
                events: ["ana": [.unban], "caio": [.unban]]),
]

@Suite("Moderation commands")
struct ModerationTests {
    @Test("/expulsar", arguments: expulsarCases)
    func expulsar(_ row: CommandCase) throws { try row.verify() }

    @Test("/banir", arguments: banirCases)
    func banir(_ row: CommandCase) throws { try row.verify() }

    @Test("/desbanir", arguments: desbanirCases)
    func desbanir(_ row: CommandCase) throws { try row.verify() }

    @Test("banned from #geral: the name may not reconnect until the ban is lifted")
    func geralBanRefusesReconnect() throws {
        let h = try ChatHarness()
        try h.connect("ana")
        try h.connect("bia")
        try h.perform(["ana> /admin segredo", "ana> /banir bia"])
        let refused = Result<Welcome, ChatError>.failure(.bannedFromRoom("geral"))
        #expect(h.room(of: "bia") == nil)
        #expect(h.connectResult("bia") == refused)
        #expect(h.connectResult("BIA") == refused)
        // The ban is on the name (no address here), so another name may come in.
        #expect((try? h.connectResult("bia2").get().name) == "bia2")
        // The store keeps the ban, for the next run.
        let geral = try #require(try h.storage.load().rooms.first(where: { $0.name == "geral" }))
        #expect(geral.bans.map(\.name) == ["bia"])

        try h.perform(["ana> /desbanir bia"])
        #expect((try? h.connectResult("bia").get().name) == "bia")
        let lifted = try #require(try h.storage.load().rooms.first(where: { $0.name == "geral" }))
        #expect(lifted.bans.isEmpty)
    }

    @Test("banned from #geral on a personal address: that address may not come back under any name")
    func geralBanByAddress() throws {
        let h = try ChatHarness()
        try h.connect("ana")
        try h.connect("bia", address: "198.51.100.4")
        try h.perform(["ana> /admin segredo", "ana> /banir bia"])
        let refused = Result<Welcome, ChatError>.failure(.bannedFromRoom("geral"))
        #expect(h.connectResult("zeca", address: "198.51.100.4") == refused)
        #expect((try? h.connectResult("zeca", address: "198.51.100.5").get().name) == "zeca")
    }

    @Test("banned from #geral on a shared address: others on that address may still connect")
    func geralBanOnSharedAddress() throws {
        let h = try ChatHarness()
        try h.connect("ana")
        try h.connect("bia", address: "127.0.0.1")
        try h.perform(["ana> /admin segredo", "ana> /banir bia"])
        let refused = Result<Welcome, ChatError>.failure(.bannedFromRoom("geral"))
        #expect(h.connectResult("bia", address: "127.0.0.1") == refused)
        #expect((try? h.connectResult("zeca", address: "127.0.0.1").get().name) == "zeca")
    }

    @Test("a room ban is kept by the store with who banned and from where")
    func roomBanIsRecorded() throws {
        let h = try ChatHarness()
        try h.connect("ana")
        try h.connect("bia", address: "203.0.113.7")
        try h.perform(biaBannedFromDev)
        let dev = try #require(try h.storage.load().rooms.first(where: { $0.name == "dev" }))
        #expect(dev.bans == [BanRecord(name: "bia", address: "203.0.113.7", bannedBy: "ana", time: ManualClock.start)])
    }
}
