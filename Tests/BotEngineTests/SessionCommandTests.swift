import BotEngine
import ChatCore
import Foundation
import Testing

// /sair, /nome, /admin: commands about the caller's own session.

let sairCases: [CommandCase] = [
    CommandCase(name: "says goodbye, closes the connection, tells the room", line: "/sair",
                reply: .text("Até logo!"),
                events: ["bia": [.disconnect], "caio": [.disconnect]],
                details: [EventCheck(to: "bia", kind: .disconnect, room: "geral", sender: "ana")],
                disconnects: ["ana"], offline: ["ana"], names: ["bia", "caio"]),
    CommandCase(name: "the reason reaches the room", line: "/sair fui almoçar",
                reply: .text("Até logo!"),
                events: ["bia": [.disconnect], "caio": [.disconnect]],
                details: [EventCheck(to: "caio", kind: .disconnect, room: "geral", sender: "ana", text: "fui almoçar")],
                disconnects: ["ana"], offline: ["ana"]),
    CommandCase(name: "/quit tells everyone who shared a room, once each",
                setup: ["ana> /entrar dev", "bia> /entrar dev"], line: "/quit",
                reply: .text("Até logo!"),
                events: ["bia": [.disconnect], "caio": [.disconnect]],
                details: [EventCheck(to: "bia", kind: .disconnect, room: "geral", sender: "ana")],
                disconnects: ["ana"], offline: ["ana"], names: ["bia", "caio"]),
    CommandCase(name: "/quit from a room apart from #geral tells only that room",
                setup: ["ana> /entrar dev", "bia> /entrar dev", "ana> /sairsala geral"], line: "/quit",
                reply: .text("Até logo!"), events: ["bia": [.disconnect]],
                details: [EventCheck(to: "bia", kind: .disconnect, room: "dev", sender: "ana")],
                disconnects: ["ana"], offline: ["ana"], names: ["bia", "caio"]),
    CommandCase(name: "alone on the server", users: ["ana"], line: "/sair",
                reply: .text("Até logo!"), disconnects: ["ana"], offline: ["ana"], names: []),
    CommandCase(name: "a reason with control characters is refused and the user stays",
                line: "/sair \u{1B}[2J", reply: .fails(.controlCharacters),
                rooms: ["ana": "geral"], names: ["ana", "bia", "caio"]),
]

let nomeCases: [CommandCase] = [
    CommandCase(name: "a look-alike of an online name is refused", line: "/nome b1a",
                reply: .fails(.nameLookalike("b1a", like: "bia")), names: ["ana", "bia", "caio"]),
    CommandCase(name: "a Cyrillic look-alike is refused", line: "/nome с\u{0430}io",
                reply: .fails(.nameLookalike("с\u{0430}io", like: "caio")), names: ["ana", "bia", "caio"]),
    CommandCase(name: "a look-alike of the bot is reserved", line: "/nome p\u{0430}po",
                reply: .fails(.nameReserved("p\u{0430}po"))),
    CommandCase(name: "a look-alike of your own name is fine", line: "/nome Ana", reply: .text(""),
                events: ["ana": [.rename], "bia": [.rename], "caio": [.rename]], names: ["Ana", "bia", "caio"]),
    CommandCase(name: "renames and tells the room", line: "/nome aninha", reply: .text(""),
                events: ["ana": [.rename], "bia": [.rename], "caio": [.rename]],
                details: [EventCheck(to: "bia", kind: .rename, room: "geral", sender: "ana", target: "aninha")],
                names: ["aninha", "bia", "caio"]),
    CommandCase(name: "/nick is /nome", line: "/nick aninha", reply: .text(""),
                events: ["ana": [.rename], "bia": [.rename], "caio": [.rename]],
                names: ["aninha", "bia", "caio"]),
    CommandCase(name: "changing only the case of one's own name is allowed", line: "/nome Ana", reply: .text(""),
                events: ["ana": [.rename], "bia": [.rename], "caio": [.rename]],
                details: [EventCheck(to: "caio", kind: .rename, sender: "ana", target: "Ana")],
                names: ["Ana", "bia", "caio"]),
    CommandCase(name: "everyone who shares a room hears it once, labelled with the first room shared",
                setup: ["ana> /entrar dev", "bia> /entrar dev"],
                line: "/nome aninha", reply: .text(""),
                events: ["ana": [.rename], "bia": [.rename], "caio": [.rename]],
                details: [EventCheck(to: "bia", kind: .rename, room: "geral", sender: "ana", target: "aninha")],
                rooms: ["ana": "dev"]),
    CommandCase(name: "in a room apart from #geral only that room hears of it",
                setup: ["ana> /entrar dev", "bia> /entrar dev", "ana> /sairsala geral"],
                line: "/nome aninha", reply: .text(""), events: ["ana": [.rename], "bia": [.rename]],
                details: [EventCheck(to: "bia", kind: .rename, room: "dev", sender: "ana", target: "aninha")]),
    CommandCase(name: "in no room, only the renamed user hears of it", setup: ["ana> /sairsala"],
                line: "/nome aninha", reply: .text(""), events: ["ana": [.rename]],
                details: [EventCheck(to: "ana", kind: .rename, sender: "ana", target: "aninha")],
                names: ["aninha", "bia", "caio"]),
    CommandCase(name: "a moderator keeps moderating their room after a rename", setup: ["ana> /entrar dev"],
                line: "/nome aninha", reply: .text(""),
                events: ["ana": [.rename], "bia": [.rename], "caio": [.rename]], rooms: ["ana": "dev"],
                roles: ["ana": .moderator]),
    CommandCase(name: "a rename is shown in the room's moderators",
                setup: ["ana> /entrar dev", "ana> /nome aninha"], caller: "bia", line: "/salas",
                reply: .text("Salas (2):\n  #geral — 3 pessoas [sala atual]\n  #dev — 1 pessoa · moderação: aninha")),
    CommandCase(name: "whoever takes a moderator's old name does not moderate",
                setup: ["ana> /entrar dev", "ana> /nome aninha", "bia> /nome ana", "bia> /entrar dev"],
                caller: "bia", line: "/expulsar aninha", reply: .fails(.notModerator("dev")),
                rooms: ["ana": "dev", "bia": "dev"], roles: ["bia": .user]),
    CommandCase(name: "a name taken in another case", line: "/nome BIA", reply: .fails(.nameTaken("BIA")),
                names: ["ana", "bia", "caio"]),
    CommandCase(name: "a name that does not start with a letter", line: "/nome 9vidas",
                reply: .fails(.nameInvalid("9vidas")), names: ["ana", "bia", "caio"]),
    CommandCase(name: "a name with a forbidden character", line: "/nome ana!", reply: .fails(.nameInvalid("ana!"))),
    CommandCase(name: "two words", line: "/nome ana maria", reply: .fails(.nameInvalid("ana maria"))),
    CommandCase(name: "a reserved name", line: "/nome admin", reply: .fails(.nameReserved("admin")),
                names: ["ana", "bia", "caio"]),
    CommandCase(name: "a reserved name in another case", line: "/nome Admin", reply: .fails(.nameReserved("Admin"))),
    CommandCase(name: "a name too long", line: "/nome abcdefghijklmnopqrstuvwxy",
                reply: .fails(.nameTooLong(max: 24))),
    CommandCase(name: "no name", line: "/nome", reply: .fails(.missingArgument(usage: "/nome <novo_nome>"))),
    CommandCase(name: "the same name", line: "/nome ana", reply: .fails(.sameName)),
    CommandCase(name: "the old name is free for others", setup: ["ana> /nome aninha"], caller: "bia",
                line: "/nome ana", reply: .text(""),
                events: ["ana": [.rename], "bia": [.rename], "caio": [.rename]],
                names: ["ana", "aninha", "caio"]),
    CommandCase(name: "the old name no longer reaches the renamed user", setup: ["ana> /nome aninha"],
                caller: "bia", line: "/privado ana oi", reply: .fails(.noSuchUser("ana"))),
    CommandCase(name: "the new name does", setup: ["ana> /nome aninha"], caller: "bia",
                line: "/privado aninha oi", reply: .text(""),
                events: ["ana": [.privateMessage], "bia": [.privateMessage]],
                details: [EventCheck(to: "ana", kind: .privateMessage, sender: "bia", target: "aninha", text: "oi")]),
]

let adminCases: [CommandCase] = [
    CommandCase(name: "the right password makes an admin, and the room is told", line: "/admin segredo",
                reply: .text("Agora você é administrador."),
                events: ["ana": [.admin], "bia": [.admin], "caio": [.admin]],
                details: [EventCheck(to: "bia", kind: .admin, room: "geral", sender: "ana")],
                roles: ["ana": .admin, "bia": .user]),
    CommandCase(name: "/oper is /admin", line: "/oper segredo", reply: .text("Agora você é administrador."),
                events: ["ana": [.admin], "bia": [.admin], "caio": [.admin]], roles: ["ana": .admin]),
    CommandCase(name: "in a room only the room is told", setup: ["ana> /entrar dev", "bia> /entrar dev"],
                line: "/admin segredo", reply: .text("Agora você é administrador."),
                events: ["ana": [.admin], "bia": [.admin]], roles: ["ana": .admin]),
    CommandCase(name: "a wrong password", line: "/admin errada", reply: .fails(.wrongPassword),
                roles: ["ana": .user]),
    CommandCase(name: "a password differing only in case", line: "/admin SEGREDO", reply: .fails(.wrongPassword),
                roles: ["ana": .user]),
    CommandCase(name: "a prefix of the password", line: "/admin segred", reply: .fails(.wrongPassword),
                roles: ["ana": .user]),
    CommandCase(name: "the password plus more", line: "/admin segredo2", reply: .fails(.wrongPassword),
                roles: ["ana": .user]),
    CommandCase(name: "no password", line: "/admin", reply: .fails(.missingArgument(usage: "/admin <senha>")),
                roles: ["ana": .user]),
    CommandCase(name: "already an admin", setup: ["ana> /admin segredo"], line: "/admin segredo",
                reply: .fails(.alreadyAdmin), roles: ["ana": .admin]),
    CommandCase(name: "the third wrong password disconnects", setup: ["ana!> /admin x", "ana!> /admin y"],
                line: "/admin z", reply: .fails(.tooManyAttempts),
                events: ["bia": [.disconnect], "caio": [.disconnect]], disconnects: ["ana"], offline: ["ana"]),
    CommandCase(name: "two wrong passwords still allow the right one", setup: ["ana!> /admin x", "ana!> /admin y"],
                line: "/admin segredo", reply: .text("Agora você é administrador."),
                events: ["ana": [.admin], "bia": [.admin], "caio": [.admin]], roles: ["ana": .admin]),
    CommandCase(name: "a server without a password refuses", adminPassword: nil, line: "/admin segredo",
                reply: .fails(.adminDisabled), roles: ["ana": .user]),
    CommandCase(name: "an empty configured password counts as none", adminPassword: "", line: "/admin segredo",
                reply: .fails(.adminDisabled), roles: ["ana": .user]),
    CommandCase(name: "without a password the argument is still required", adminPassword: nil, line: "/admin",
                reply: .fails(.missingArgument(usage: "/admin <senha>"))),
    CommandCase(name: "five wrong passwords from one address lock it out, even for the right one",
                addresses: ["ana": "10.0.0.9", "bia": "10.0.0.9", "caio": "10.0.0.9"],
                setup: ["ana!> /admin a", "ana!> /admin b", "bia!> /admin c", "bia!> /admin d", "caio!> /admin e"],
                caller: "caio", line: "/admin segredo", reply: .fails(.adminLockedOut(minutes: 5)),
                roles: ["caio": .user]),
    CommandCase(name: "the lockout ends after five minutes",
                addresses: ["ana": "10.0.0.9", "bia": "10.0.0.9", "caio": "10.0.0.9"],
                setup: ["ana!> /admin a", "ana!> /admin b", "bia!> /admin c", "bia!> /admin d", "caio!> /admin e",
                        "~301"],
                caller: "caio", line: "/admin segredo", reply: .text("Agora você é administrador."),
                events: ["ana": [.admin], "bia": [.admin], "caio": [.admin]], roles: ["caio": .admin]),
    CommandCase(name: "another address is not locked out",
                addresses: ["ana": "10.0.0.9", "bia": "10.0.0.9", "caio": "10.0.0.7"],
                setup: ["ana!> /admin a", "ana!> /admin b", "bia!> /admin c", "bia!> /admin d"],
                caller: "caio", line: "/admin segredo", reply: .text("Agora você é administrador."),
                events: ["ana": [.admin], "bia": [.admin], "caio": [.admin]], roles: ["caio": .admin]),
    CommandCase(name: "a moderator becomes admin, outranking their own role", setup: ["ana> /entrar dev"],
                line: "/admin segredo", reply: .text("Agora você é administrador."),
                events: ["ana": [.admin]], roles: ["ana": .admin]),
]

@Suite("Session commands")
struct SessionCommandTests {
    @Test("/sair", arguments: sairCases)
    func sair(_ row: CommandCase) throws { try row.verify() }

    /// The `Outbox` contract: `disconnect` closes the connection "once what
    /// was delivered before is written". The goodbye must therefore be
    /// delivered before the disconnect, or a front end may drop it.
    @Test("/sair delivers the goodbye before closing the connection")
    func sairRepliesBeforeClosing() throws {
        let h = try ChatHarness()
        try h.connect("ana")
        h.run("ana", "/sair")
        let endpoint = try #require(h.endpoint("ana"))
        let entries = h.outbox.entries(for: endpoint)
        let replyIndex = try #require(entries.firstIndex(where: { $0.reply?.text == "Até logo!" }))
        let closeIndex = try #require(entries.firstIndex(of: .disconnected))
        #expect(replyIndex < closeIndex, "entries: \(entries)")
        #expect(entries.filter { $0 == .disconnected }.count == 1)
    }

    @Test("after /sair the name is free and the old connection is gone")
    func sairFreesTheName() throws {
        let h = try ChatHarness()
        let oldID = try h.connect("ana")
        try h.connect("bia")
        let oldEndpoint = try #require(h.endpoint("ana"))
        h.run("ana", "/sair")
        // The old connection's lines are ignored: no reply, no event.
        h.outbox.clear()
        h.engine.handle(line: "ainda aqui?", from: oldID)
        #expect(h.kinds("bia").isEmpty)
        #expect(h.outbox.replies(for: oldEndpoint).isEmpty)
        // The name can be taken again.
        let again = h.connectResult("ana")
        #expect((try? again.get().name) == "ana")
    }

    @Test("/nome", arguments: nomeCases)
    func nome(_ row: CommandCase) throws { try row.verify() }

    @Test("/admin", arguments: adminCases)
    func admin(_ row: CommandCase) throws { try row.verify() }

    @Test("an admin's power follows them into every room")
    func adminEverywhere() throws {
        let h = try ChatHarness()
        try h.connect("ana")
        try h.connect("bia")
        try h.perform(["bia> /entrar dev", "ana> /admin segredo", "ana> /entrar dev"])
        #expect(h.role(of: "ana") == .admin)
        #expect(h.role(of: "bia") == .moderator)
        try h.perform(["ana> /entrar arte", "ana> /entrar geral"])
        #expect(h.role(of: "ana") == .admin)
    }
}
