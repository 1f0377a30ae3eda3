import BotEngine
import ChatCore
import Foundation
import Testing

// /entrar: moving between rooms, creating them, and the events that go with it.

/// What `/entrar` adds for a guest who creates a room.
let guestRights = " Como convidado, só enquanto estiver conectado: /registrar <senha> guarda o seu nome e as suas salas."

let entrarCases: [CommandCase] = [
    CommandCase(name: "creates the room; its creator moderates it", line: "/entrar dev",
                reply: .text("Sala #dev criada. Você é o moderador dela." + guestRights),
                events: ["ana": [.join], "bia": [.leave], "caio": [.leave]],
                details: [
                    EventCheck(to: "bia", kind: .leave, room: "geral", sender: "ana", target: "dev"),
                    EventCheck(to: "ana", kind: .join, room: "dev", sender: "ana"),
                ],
                rooms: ["ana": "dev", "bia": "geral"], roles: ["ana": .moderator]),
    CommandCase(name: "/join enters an existing room as a plain member", setup: ["bia> /entrar dev"],
                line: "/join dev", reply: .text(""),
                events: ["ana": [.join], "bia": [.join], "caio": [.leave]],
                details: [
                    EventCheck(to: "bia", kind: .join, room: "dev", sender: "ana"),
                    EventCheck(to: "caio", kind: .leave, room: "geral", sender: "ana", target: "dev"),
                ],
                rooms: ["ana": "dev", "bia": "dev"], roles: ["ana": .user, "bia": .moderator]),
    CommandCase(name: "a leading # is dropped", line: "/entrar #dev",
                reply: .text("Sala #dev criada. Você é o moderador dela." + guestRights),
                events: ["ana": [.join], "bia": [.leave], "caio": [.leave]],
                rooms: ["ana": "dev"], roles: ["ana": .moderator]),
    CommandCase(name: "room names are case-insensitive; the first spelling stays", setup: ["bia> /entrar Dev"],
                line: "/entrar DEV", reply: .text(""),
                events: ["ana": [.join], "bia": [.join], "caio": [.leave]],
                rooms: ["ana": "Dev"], roles: ["ana": .user]),
    CommandCase(name: "non-ASCII letters are fine", line: "/entrar café",
                reply: .text("Sala #café criada. Você é o moderador dela." + guestRights),
                events: ["ana": [.join], "bia": [.leave], "caio": [.leave]], rooms: ["ana": "café"]),
    CommandCase(name: "the longest room name", line: "/entrar " + String(repeating: "s", count: 32),
                reply: .ok, events: ["ana": [.join], "bia": [.leave], "caio": [.leave]],
                rooms: ["ana": String(repeating: "s", count: 32)]),
    CommandCase(name: "back to #geral: the old room hears leave, #geral hears join",
                setup: ["ana> /entrar dev", "bia> /entrar dev"], line: "/entrar geral", reply: .text(""),
                events: ["ana": [.join], "bia": [.leave], "caio": [.join]],
                details: [
                    EventCheck(to: "bia", kind: .leave, room: "dev", sender: "ana", target: "geral"),
                    EventCheck(to: "caio", kind: .join, room: "geral", sender: "ana"),
                ],
                rooms: ["ana": "geral", "bia": "dev"], roles: ["ana": .user]),
    CommandCase(name: "from room to room; #geral hears nothing", setup: ["ana> /entrar dev", "bia> /entrar dev"],
                line: "/entrar arte", reply: .text("Sala #arte criada. Você é o moderador dela." + guestRights),
                events: ["ana": [.join], "bia": [.leave]],
                rooms: ["ana": "arte", "bia": "dev", "caio": "geral"], roles: ["ana": .moderator]),
    CommandCase(name: "the creator is moderator again on coming back", setup: ["ana> /entrar dev", "ana> /entrar geral"],
                line: "/entrar dev", reply: .text(""),
                events: ["ana": [.join], "bia": [.leave], "caio": [.leave]],
                rooms: ["ana": "dev"], roles: ["ana": .moderator]),
    CommandCase(name: "leaving an empty room tells nobody there", setup: ["ana> /entrar dev"],
                line: "/entrar geral", reply: .text(""),
                events: ["ana": [.join], "bia": [.join], "caio": [.join]], rooms: ["ana": "geral"]),
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
                line: "/entrar dev", reply: .fails(.bannedFromRoom("dev")), rooms: ["ana": "geral"]),
    CommandCase(name: "someone else's ban does not bar others",
                setup: ["bia> /entrar dev", "ana> /entrar dev", "bia> /banir ana"], caller: "caio",
                line: "/entrar dev", reply: .text(""),
                events: ["ana": [.leave], "bia": [.join], "caio": [.join]], rooms: ["caio": "dev"]),
]

@Suite("Room commands")
struct RoomCommandTests {
    @Test("/entrar", arguments: entrarCases)
    func entrar(_ row: CommandCase) throws { try row.verify() }

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
