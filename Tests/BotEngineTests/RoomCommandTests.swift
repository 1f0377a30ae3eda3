import BotEngine
import ChatCore
import Foundation
import Testing

// /entrar, /sairsala, /sala, /em, /topico: being in several rooms, and the events that go with it.

/// What `/entrar` adds for a guest who creates a room.
let guestRights = " Como convidado, só enquanto estiver conectado: /registrar <senha> guarda o seu nome e as suas salas."

let entrarCases: [CommandCase] = [
    CommandCase(name: "creates the room; its creator moderates it; #geral stays joined", line: "/entrar dev",
                reply: .text("Sala #dev criada. Você é o moderador dela." + guestRights),
                events: ["ana": [.join]],
                details: [EventCheck(to: "ana", kind: .join, room: "dev", sender: "ana")],
                rooms: ["ana": "dev", "bia": "geral"], roles: ["ana": .moderator], joined: ["ana": ["geral", "dev"]]),
    CommandCase(name: "/join enters an existing room as a plain member", setup: ["bia> /entrar dev"],
                line: "/join dev", reply: .text(""),
                events: ["ana": [.join], "bia": [.join]],
                details: [EventCheck(to: "bia", kind: .join, room: "dev", sender: "ana")],
                rooms: ["ana": "dev", "bia": "dev"], roles: ["ana": .user, "bia": .moderator]),
    CommandCase(name: "a leading # is dropped", line: "/entrar #dev",
                reply: .text("Sala #dev criada. Você é o moderador dela." + guestRights),
                events: ["ana": [.join]], rooms: ["ana": "dev"], roles: ["ana": .moderator]),
    CommandCase(name: "room names are case-insensitive; the first spelling stays", setup: ["bia> /entrar Dev"],
                line: "/entrar DEV", reply: .text(""), events: ["ana": [.join], "bia": [.join]],
                rooms: ["ana": "Dev"], roles: ["ana": .user]),
    CommandCase(name: "non-ASCII letters are fine", line: "/entrar café",
                reply: .text("Sala #café criada. Você é o moderador dela." + guestRights),
                events: ["ana": [.join]], rooms: ["ana": "café"]),
    CommandCase(name: "the longest room name", line: "/entrar " + String(repeating: "s", count: 32),
                reply: .ok, events: ["ana": [.join]], rooms: ["ana": String(repeating: "s", count: 32)]),
    CommandCase(name: "a room one is in already becomes the current one, silently",
                setup: ["ana> /entrar dev", "bia> /entrar dev"], line: "/entrar geral",
                reply: .text("Agora você fala em #geral."), rooms: ["ana": "geral", "bia": "dev"],
                roles: ["ana": .user], joined: ["ana": ["geral", "dev"]]),
    CommandCase(name: "from room to room, all stay joined", setup: ["ana> /entrar dev", "bia> /entrar dev"],
                line: "/entrar arte", reply: .text("Sala #arte criada. Você é o moderador dela." + guestRights),
                events: ["ana": [.join]], rooms: ["ana": "arte", "bia": "dev", "caio": "geral"],
                roles: ["ana": .moderator], joined: ["ana": ["geral", "dev", "arte"]]),
    CommandCase(name: "the creator is moderator again on coming back", setup: ["ana> /entrar dev", "ana> /entrar geral"],
                line: "/entrar dev", reply: .text("Agora você fala em #dev."), rooms: ["ana": "dev"],
                roles: ["ana": .moderator]),
    CommandCase(name: "already in #geral", line: "/entrar geral", reply: .fails(.alreadyInRoom("geral")),
                rooms: ["ana": "geral"]),
    CommandCase(name: "already in #geral, other case", line: "/entrar #GERAL", reply: .fails(.alreadyInRoom("geral"))),
    CommandCase(name: "already in the room", setup: ["ana> /entrar dev"], line: "/entrar dev",
                reply: .fails(.alreadyInRoom("dev")), rooms: ["ana": "dev"]),
    CommandCase(name: "a room name with a space", line: "/entrar sala ruim",
                reply: .fails(.roomNameInvalid("sala ruim")), rooms: ["ana": "geral"]),
    CommandCase(name: "a room name with a forbidden character", line: "/entrar sala!",
                reply: .fails(.roomNameInvalid("sala!"))),
    CommandCase(name: "only a #", line: "/entrar #", reply: .fails(.roomNameInvalid("#"))),
    CommandCase(name: "a room name too long", line: "/entrar " + String(repeating: "s", count: 33),
                reply: .fails(.roomNameInvalid(String(repeating: "s", count: 33)))),
    CommandCase(name: "no room", line: "/entrar", reply: .fails(.missingArgument(usage: "/entrar <sala>"))),
    CommandCase(name: "banned from the room", setup: ["bia> /entrar dev", "ana> /entrar dev", "bia> /banir ana"],
                line: "/entrar dev", reply: .fails(.bannedFromRoom("dev")), rooms: ["ana": "geral"],
                joined: ["ana": ["geral"]]),
    CommandCase(name: "someone else's ban does not bar others",
                setup: ["bia> /entrar dev", "ana> /entrar dev", "bia> /banir ana"], caller: "caio",
                line: "/entrar dev", reply: .text(""), events: ["bia": [.join], "caio": [.join]], rooms: ["caio": "dev"]),
    CommandCase(name: "twenty rooms at most, #geral included",
                setup: (1...19).map { "ana> /entrar r\($0)" }, line: "/entrar r20",
                reply: .fails(.tooManyRooms(max: 20)), rooms: ["ana": "r19"]),
    CommandCase(name: "joining shows the topic", setup: ["bia> /entrar dev", "bia> /topico café e código"],
                line: "/entrar dev", reply: .text("Tópico de #dev: café e código"),
                events: ["ana": [.join], "bia": [.join]]),
    CommandCase(name: "in no room, /entrar puts one in one", setup: ["ana> /sairsala"], line: "/entrar geral",
                reply: .text(""), events: ["ana": [.join], "bia": [.join], "caio": [.join]], rooms: ["ana": "geral"]),
]

let sairsalaCases: [CommandCase] = [
    CommandCase(name: "leaves the current room; the room is told, the leaver too", setup: ["ana> /entrar dev", "bia> /entrar dev"],
                line: "/sairsala", reply: .text("Você saiu de #dev. Agora você fala em #geral."),
                events: ["ana": [.leave], "bia": [.leave]],
                details: [EventCheck(to: "bia", kind: .leave, room: "dev", sender: "ana")],
                rooms: ["ana": "geral"], joined: ["ana": ["geral"]]),
    CommandCase(name: "/part leaves a named room; the current one stays", setup: ["ana> /entrar dev"],
                line: "/part geral", reply: .text("Você saiu de #geral. Agora você fala em #dev."),
                events: ["ana": [.leave], "bia": [.leave], "caio": [.leave]], rooms: ["ana": "dev"],
                joined: ["ana": ["dev"]]),
    CommandCase(name: "the current room becomes the one joined last", setup: ["ana> /entrar dev", "ana> /entrar arte"],
                line: "/leave", reply: .text("Você saiu de #arte. Agora você fala em #dev."),
                events: ["ana": [.leave]], rooms: ["ana": "dev"]),
    CommandCase(name: "leaving the last room is allowed", line: "/sairsala",
                reply: .text("Você saiu de #geral e não está em nenhuma sala: use /entrar <sala>."),
                events: ["ana": [.leave], "bia": [.leave], "caio": [.leave]], names: ["ana", "bia", "caio"], joined: ["ana": []]),
    CommandCase(name: "then a plain line has nowhere to go", setup: ["ana> /sairsala"], line: "oi",
                reply: .fails(.noRoom)),
    CommandCase(name: "nor does a moderator command", setup: ["ana> /sairsala"], line: "/expulsar bia",
                reply: .fails(.noRoom)),
    CommandCase(name: "a room one is not in", line: "/sairsala jogos", reply: .fails(.notMember("jogos"))),
    CommandCase(name: "in no room at all", setup: ["ana> /sairsala"], line: "/sairsala", reply: .fails(.noRoom)),
]

let salaCases: [CommandCase] = [
    CommandCase(name: "switches silently", setup: ["ana> /entrar dev", "bia> /entrar dev"], line: "/sala geral",
                reply: .text("Agora você fala em #geral."), rooms: ["ana": "geral"], joined: ["ana": ["geral", "dev"]]),
    CommandCase(name: "/switch is /sala", setup: ["ana> /entrar dev", "ana> /sala geral"], line: "/switch #DEV",
                reply: .text("Agora você fala em #dev."), rooms: ["ana": "dev"]),
    CommandCase(name: "a room one is not in", line: "/sala jogos", reply: .fails(.notMember("jogos")),
                rooms: ["ana": "geral"]),
    CommandCase(name: "no room named", line: "/sala", reply: .fails(.missingArgument(usage: "/sala <sala>"))),
]

let emCases: [CommandCase] = [
    CommandCase(name: "says one line in another joined room", setup: ["ana> /entrar dev", "bia> /entrar dev", "ana> /sala geral"],
                line: "/em dev olá, dev", reply: .text(""), events: ["ana": [.message], "bia": [.message]],
                details: [EventCheck(to: "bia", kind: .message, room: "dev", sender: "ana", text: "olá, dev")],
                rooms: ["ana": "geral"]),
    CommandCase(name: "/say is /em; the text is said as it is", setup: ["ana> /entrar dev", "ana> /sala geral"],
                line: "/say dev /ping", reply: .text(""), events: ["ana": [.message]],
                details: [EventCheck(to: "ana", kind: .message, room: "dev", text: "/ping")]),
    CommandCase(name: "a room one is not in", line: "/em jogos oi", reply: .fails(.notMember("jogos"))),
    CommandCase(name: "a room one is banned from", setup: ["bia> /entrar dev", "ana> /entrar dev", "bia> /banir ana"],
                line: "/em dev oi", reply: .fails(.bannedFromRoom("dev"))),
    CommandCase(name: "no text", line: "/em geral", reply: .fails(.missingArgument(usage: "/em <sala> <texto>"))),
]

let avisoCases: [CommandCase] = [
    CommandCase(name: "a notice in the current room", setup: ["bia> /entrar dev", "ana> /entrar dev"],
                line: "/aviso volto já", reply: .text(""), events: ["ana": [.message], "bia": [.message]],
                details: [EventCheck(to: "bia", kind: .message, room: "dev", sender: "ana", text: "volto já", notice: true)]),
    CommandCase(name: "/notice #sala, in another joined room", setup: ["ana> /entrar dev", "ana> /sala geral"],
                line: "/notice #dev lá", reply: .text(""), events: ["ana": [.message]],
                details: [EventCheck(to: "ana", kind: .message, room: "dev", text: "lá", notice: true)]),
    CommandCase(name: "a plain line is no notice", line: "oi", reply: .text(""),
                events: ["ana": [.message], "bia": [.message], "caio": [.message]],
                details: [EventCheck(to: "bia", kind: .message, text: "oi", notice: false)]),
    CommandCase(name: "a room one is not in", line: "/aviso #jogos oi", reply: .fails(.notMember("jogos"))),
    CommandCase(name: "no text", line: "/aviso", reply: .fails(.missingArgument(usage: "/aviso [#sala] <texto>"))),
    CommandCase(name: "a room and no text", line: "/aviso #geral", reply: .fails(.missingArgument(usage: "/aviso [#sala] <texto>"))),
]

let modoCases: [CommandCase] = [
    CommandCase(name: "shows the room's modes", setup: ["ana> /entrar dev"], line: "/modo",
                reply: .text("Modos de #dev: +t (pública; só moderadores mudam o tópico)")),
    CommandCase(name: "+s makes it secret; the room is told", setup: ["ana> /entrar dev", "bia> /entrar dev"],
                line: "/modo +s", reply: .text(""), events: ["ana": [.settings], "bia": [.settings]],
                details: [EventCheck(to: "bia", kind: .settings, room: "dev", sender: "ana")]),
    CommandCase(name: "both at once, then shown", setup: ["ana> /entrar dev", "ana> /modo +s-t"], line: "/mode",
                reply: .text("Modos de #dev: +s (secreta; qualquer membro muda o tópico)")),
    CommandCase(name: "what is already so tells nobody", setup: ["ana> /entrar dev"], line: "/modo +t", reply: .text("")),
    CommandCase(name: "-t lets a member set the topic", setup: ["ana> /entrar dev", "bia> /entrar dev", "ana> /modo -t"],
                caller: "bia", line: "/topico livre", reply: .text(""), events: ["ana": [.topic], "bia": [.topic]]),
    CommandCase(name: "a member may not change them", setup: ["ana> /entrar dev", "bia> /entrar dev"], caller: "bia",
                line: "/modo +s", reply: .fails(.notModerator("dev"))),
    CommandCase(name: "nor anyone in #geral", line: "/modo +s", reply: .fails(.notModerator("geral"))),
    CommandCase(name: "an unknown letter", setup: ["ana> /entrar dev"], line: "/modo +k",
                reply: .fails(.badRequest("modo desconhecido 'k': use +s, -s, +t, -t, +e <nome> ou -e <nome>"))),
    CommandCase(name: "+e exempts a name or pattern from bans; the room is told", setup: ["ana> /entrar dev", "bia> /entrar dev"],
                line: "/modo +e zé*", reply: .text(""), events: ["ana": [.settings], "bia": [.settings]]),
    CommandCase(name: "exceptions are shown", setup: ["ana> /entrar dev", "ana> /modo +e zé*", "ana> /modo +e bia", "ana> /modo +e BIA"],
                line: "/modo", reply: .text("Modos de #dev: +t (pública; só moderadores mudam o tópico)\nIsentos de banimento: zé*, bia")),
    CommandCase(name: "-e takes one away", setup: ["ana> /entrar dev", "bia> /entrar dev", "ana> /modo +e zé*"],
                line: "/modo -e ZÉ*", reply: .text(""), events: ["ana": [.settings], "bia": [.settings]]),
    CommandCase(name: "-e of a name not exempted", setup: ["ana> /entrar dev"], line: "/modo -e zeca",
                reply: .fails(.badRequest("zeca não está entre as isenções de #dev"))),
    CommandCase(name: "+e without a name", setup: ["ana> /entrar dev"], line: "/modo +e",
                reply: .fails(.missingArgument(usage: "/modo +e <nome | padrão>"))),
    CommandCase(name: "a letter without a sign", setup: ["ana> /entrar dev"], line: "/modo s",
                reply: .fails(.missingArgument(usage: "/modo [+s | -s | +t | -t]"))),
]

let topicoCases: [CommandCase] = [
    CommandCase(name: "no topic yet", line: "/topico", reply: .text("#geral não tem tópico.")),
    CommandCase(name: "a moderator sets it; the room is told", setup: ["ana> /entrar dev", "bia> /entrar dev"],
                line: "/topico café e código", reply: .text(""), events: ["ana": [.topic], "bia": [.topic]],
                details: [EventCheck(to: "bia", kind: .topic, room: "dev", sender: "ana", text: "café e código")]),
    CommandCase(name: "then anyone in the room sees it", setup: ["ana> /entrar dev", "bia> /entrar dev", "ana> /topico café"],
                caller: "bia", line: "/topic",
                reply: .text("Tópico de #dev: café (por ana, \(TimeFormat.dateTime(ManualClock.start)))")),
    CommandCase(name: "a plain member may not set it", setup: ["bia> /entrar dev", "ana> /entrar dev"],
                line: "/topico meu", reply: .fails(.notModerator("dev"))),
    CommandCase(name: "an admin sets #geral's", setup: ["ana> /admin segredo"], line: "/topico Bem-vindos",
                reply: .text(""), events: ["ana": [.topic], "bia": [.topic], "caio": [.topic]]),
    CommandCase(name: "- clears it", setup: ["ana> /entrar dev", "ana> /topico café"], line: "/topico -",
                reply: .text(""), events: ["ana": [.topic]],
                details: [EventCheck(to: "ana", kind: .topic, room: "dev", sender: "ana")]),
    CommandCase(name: "too long", setup: ["ana> /entrar dev"], line: "/topico " + String(repeating: "t", count: 301),
                reply: .fails(.topicTooLong(max: 300))),
    CommandCase(name: "control characters", setup: ["ana> /entrar dev"], line: "/topico a\u{1B}[2J",
                reply: .fails(.controlCharacters)),
    CommandCase(name: "in no room", setup: ["ana> /sairsala"], line: "/topico", reply: .fails(.noRoom)),
]

@Suite("Room commands")
struct RoomCommandTests {
    @Test("/entrar", arguments: entrarCases)
    func entrar(_ row: CommandCase) throws { try row.verify() }

    @Test("/sairsala", arguments: sairsalaCases)
    func sairsala(_ row: CommandCase) throws { try row.verify() }

    @Test("/sala", arguments: salaCases)
    func sala(_ row: CommandCase) throws { try row.verify() }

    @Test("/em", arguments: emCases)
    func em(_ row: CommandCase) throws { try row.verify() }

    @Test("/modo", arguments: modoCases)
    func modo(_ row: CommandCase) throws { try row.verify() }

    @Test("/aviso", arguments: avisoCases)
    func aviso(_ row: CommandCase) throws { try row.verify() }

    @Test("/topico", arguments: topicoCases)
    func topico(_ row: CommandCase) throws { try row.verify() }

    @Test("a room created with /entrar is listed and kept by the store")
    func createdRoomIsRecorded() throws {
        let h = try ChatHarness()
        try h.connect("ana")
        try h.perform(["ana> /entrar dev"])
        let rooms = h.engine.withChat { $0.roomList() }
        #expect(rooms.map(\.name) == ["geral", "dev"])
        #expect(rooms.last?.moderators == ["ana"])
        #expect(rooms.last?.memberCount == 1)
        let stored = try h.storage.load().rooms
        #expect(stored.map(\.name) == ["geral", "dev"])
        #expect(stored.last?.createdBy == "ana")
        // A guest's rights are its connection's: nothing stored to inherit.
        #expect(stored.last?.owner == nil && stored.last?.moderators == [])
    }
}

@Suite("Several rooms")
struct SeveralRoomsTests {
    @Test func theServerHoldsAtMostItsRooms() throws {
        let h = try ChatHarness(limits: RoomLimits(perUser: 5, total: 3))
        try h.connect("ana")
        try h.perform(["ana> /entrar a", "ana> /entrar b"])
        #expect(h.run("ana", "/entrar c")?.error == .roomLimitReached(max: 3))
        // An existing room may still be joined.
        try h.connect("bia")
        try h.perform(["bia> /entrar a"])
        #expect(h.joined("ana") == ["geral", "a", "b"])
    }

    /// The client learns where it speaks from `current` events, which reach
    /// only the user concerned and only when the room changes.
    @Test func currentEventsFollowTheCurrentRoomAndReachOnlyItsUser() throws {
        let h = try ChatHarness()
        try h.connect("ana")
        try h.connect("bia")
        h.outbox.clear()
        try h.perform(["ana> /entrar dev", "ana> /sala geral", "ana> /em dev oi", "ana> /sairsala geral", "ana> /sairsala"])
        let current = h.events("ana").filter { $0.kind == .current }.map { $0.room }
        #expect(current == ["dev", "geral", "dev", nil])
        #expect(!h.events("bia").contains { $0.kind == .current })
    }

    /// A member of several rooms is one endpoint in each room's audience:
    /// a message to one room reaches each of its members once.
    @Test func aMessageReachesEachMemberOfItsRoomOnce() throws {
        let h = try ChatHarness()
        for name in ["ana", "bia", "caio"] { try h.connect(name) }
        try h.perform(["ana> /entrar a", "bia> /entrar a", "ana> /entrar b", "caio> /entrar b", "ana> /sala a"])
        h.outbox.clear()
        try h.perform(["ana> para a", "ana> /em b para b", "ana> /em geral para geral"])
        let texts = { (who: String) in h.events(who).filter { $0.kind == .message }.map { "\($0.room ?? "")/\($0.text ?? "")" } }
        #expect(texts("ana") == ["a/para a", "b/para b", "geral/para geral"])
        #expect(texts("bia") == ["a/para a", "geral/para geral"])
        #expect(texts("caio") == ["b/para b", "geral/para geral"])
    }
}

@Suite("Room limits")
struct RoomLimitTests {
    /// Rooms are kept for good, so one address may create only so many an hour.
    @Test func oneAddressCreatesOnlySoManyRoomsAnHour() throws {
        let h = try ChatHarness(limits: RoomLimits(perUser: 10, total: 100, createdPerHour: 3))
        try h.connect("ana", address: "10.0.0.5")
        try h.perform(["ana> /entrar a", "ana> /entrar b", "ana> /entrar c"])
        #expect(h.run("ana", "/entrar d")?.error == .tooManyRoomsCreated(perHour: 3))
        // Joining existing rooms is not creating; another address has its own hour.
        try h.connect("bia", address: "10.0.0.6")
        try h.perform(["bia> /entrar a", "bia> /entrar d"])
        try h.perform(["~3601", "ana> /entrar d", "ana> /entrar e"])
        #expect(h.joined("ana") == ["geral", "a", "b", "c", "d", "e"])
    }

    /// A server with many rooms answers /salas in a bounded reply: the
    /// caller's rooms, then others, 100 in all.
    @Test func salasListsAtMostAHundredRooms() throws {
        let h = try ChatHarness(limits: RoomLimits(perUser: 200, total: 1000, createdPerHour: 1000))
        try h.connect("ana")
        try h.connect("bia")
        try h.perform((1...120).map { "ana> /entrar s\($0)" })
        let reply = try #require(h.run("bia", "/salas"))
        let lines = reply.text.split(separator: "\n")
        #expect(lines.first == "Salas (121):")
        #expect(lines.count == 102)
        #expect(lines.last == "  … e mais 21 salas.")
        #expect(lines[1].hasPrefix("  #geral"))
    }
}
