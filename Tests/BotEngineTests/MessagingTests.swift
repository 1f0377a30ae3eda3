import BotEngine
import ChatCore
import Foundation
import Testing

// /privado, /historico, plain chat lines and unknown commands.

let privadoCases: [CommandCase] = [
    CommandCase(name: "only the recipient and the sender's echo", line: "/privado bia olá, tudo bem?",
                reply: .text(""),
                events: ["ana": [.privateMessage], "bia": [.privateMessage]],
                details: [
                    EventCheck(to: "bia", kind: .privateMessage, sender: "ana", target: "bia", text: "olá, tudo bem?"),
                    EventCheck(to: "ana", kind: .privateMessage, sender: "ana", target: "bia", text: "olá, tudo bem?"),
                ]),
    CommandCase(name: "/msg is /privado and names are case-insensitive", line: "/msg BIA oi", reply: .text(""),
                events: ["ana": [.privateMessage], "bia": [.privateMessage]],
                details: [EventCheck(to: "bia", kind: .privateMessage, sender: "ana", target: "bia", text: "oi")]),
    CommandCase(name: "/pm reaches a user in another room", setup: ["caio> /entrar dev"], line: "/pm caio oi",
                reply: .text(""),
                events: ["ana": [.privateMessage], "caio": [.privateMessage]]),
    CommandCase(name: "from inside a room to #geral", setup: ["ana> /entrar dev", "caio> /entrar dev"],
                line: "/privado bia psiu", reply: .text(""),
                events: ["ana": [.privateMessage], "bia": [.privateMessage]]),
    CommandCase(name: "the text keeps its inner spaces", line: "/privado bia    muitos   espaços",
                reply: .text(""),
                events: ["ana": [.privateMessage], "bia": [.privateMessage]],
                details: [EventCheck(to: "bia", kind: .privateMessage, text: "muitos   espaços")]),
    CommandCase(name: "tabs become spaces", line: "/privado bia a\tb", reply: .text(""),
                events: ["ana": [.privateMessage], "bia": [.privateMessage]],
                details: [EventCheck(to: "bia", kind: .privateMessage, text: "a b")]),
    CommandCase(name: "no such user", line: "/privado zeca oi", reply: .fails(.noSuchUser("zeca"))),
    CommandCase(name: "a user who left", setup: ["bia> /sair"], line: "/privado bia oi",
                reply: .fails(.noSuchUser("bia"))),
    CommandCase(name: "to oneself", line: "/privado ana oi", reply: .fails(.cannotTargetSelf)),
    CommandCase(name: "to oneself in another case", line: "/privado ANA oi", reply: .fails(.cannotTargetSelf)),
    CommandCase(name: "no text", line: "/privado bia",
                reply: .fails(.missingArgument(usage: "/privado <nome> <mensagem>"))),
    CommandCase(name: "nothing at all", line: "/privado",
                reply: .fails(.missingArgument(usage: "/privado <nome> <mensagem>"))),
    CommandCase(name: "control characters", line: "/privado bia \u{1B}[31mvermelho",
                reply: .fails(.controlCharacters)),
    CommandCase(name: "the recipient is checked before the text", line: "/privado zeca \u{1B}[31m",
                reply: .fails(.noSuchUser("zeca"))),
]

/// Public lines in #geral and #dev, and private ones between them.
let mixedHistory = [
    "ana> em geral",
    "bia> /entrar dev",
    "bia> em dev",
    "caio> /privado bia segredo de caio",
    "bia> /privado caio resposta",
    "ana> /privado caio só para caio",
]

/// `/historico`'s usage, as its errors give it: with the range of n.
let historicoUsage = "/historico [sala] [n], com n de 1 a 200"

let historicoCases: [CommandCase] = [
    CommandCase(name: "nothing said yet", line: "/historico",
                reply: .text("Nenhuma mensagem no histórico de #geral."), items: []),
    CommandCase(name: "oldest first", setup: ["ana> um", "bia> dois", "caio> três"], line: "/historico",
                reply: .text("Histórico de #geral (3 mensagens):"), items: ["um", "dois", "três"]),
    CommandCase(name: "the last n", setup: ["ana> um", "bia> dois", "caio> três"], line: "/historico 2",
                reply: .text("Histórico de #geral (2 mensagens):"), items: ["dois", "três"]),
    CommandCase(name: "the last one, singular", setup: ["ana> um", "bia> dois", "caio> três"], line: "/historico 1",
                reply: .text("Histórico de #geral (1 mensagem):"), items: ["três"]),
    CommandCase(name: "the maximum is accepted", setup: ["ana> um", "bia> dois"], line: "/historico 200",
                reply: .text("Histórico de #geral (2 mensagens):"), items: ["um", "dois"]),
    CommandCase(name: "20 by default", setup: (1...25).map { "bia> m\($0)" }, line: "/historico",
                reply: .text("Histórico de #geral (20 mensagens):"), items: (6...25).map { "m\($0)" }),
    CommandCase(name: "/history is /historico", setup: ["bia> oi"], line: "/history 5",
                reply: .text("Histórico de #geral (1 mensagem):"), items: ["oi"]),
    CommandCase(name: "a word is a room: one the caller is not in", line: "/historico abc",
                reply: .fails(.notMember("abc"))),
    CommandCase(name: "another joined room, with a count", setup: ["ana> /entrar dev", "ana> dentro", "ana> /sala geral"],
                line: "/historico dev 5", reply: .text("Histórico de #dev (1 mensagem):"), items: ["dentro"]),
    CommandCase(name: "in no room: only private messages", setup: ["bia> /privado ana psiu", "ana> /sairsala"],
                line: "/historico", reply: .text("Histórico das suas mensagens privadas (1 mensagem):"), items: ["psiu"]),
    CommandCase(name: "zero", line: "/historico 0", reply: .fails(.invalidArgument("0", usage: historicoUsage))),
    CommandCase(name: "negative", line: "/historico -1", reply: .fails(.invalidArgument("-1", usage: historicoUsage))),
    CommandCase(name: "over the maximum", line: "/historico 999",
                reply: .fails(.invalidArgument("999", usage: historicoUsage))),
    CommandCase(name: "just over the maximum", line: "/historico 201",
                reply: .fails(.invalidArgument("201", usage: historicoUsage))),
    CommandCase(name: "three words", line: "/historico geral 5 6",
                reply: .fails(.invalidArgument("geral 5 6", usage: historicoUsage))),
    CommandCase(name: "in a room: that room's lines and the caller's private ones", setup: mixedHistory,
                caller: "bia", line: "/historico",
                reply: .text("Histórico de #dev (3 mensagens):"), items: ["em dev", "segredo de caio", "resposta"]),
    CommandCase(name: "other people's private lines are not shown", setup: mixedHistory, line: "/historico",
                reply: .text("Histórico de #geral (2 mensagens):"), items: ["em geral", "só para caio"]),
    CommandCase(name: "private lines sent and received, from any room", setup: mixedHistory, caller: "caio",
                line: "/historico",
                reply: .text("Histórico de #geral (4 mensagens):"),
                items: ["em geral", "segredo de caio", "resposta", "só para caio"]),
    CommandCase(name: "n counts private lines too", setup: mixedHistory, caller: "caio", line: "/historico 1",
                reply: .text("Histórico de #geral (1 mensagem):"), items: ["só para caio"]),
    CommandCase(name: "whoever takes a name later does not read its old private lines",
                setup: ["bia> /privado caio segredo", "caio> público", "caio> /sair", "+caio"],
                caller: "caio", line: "/historico",
                reply: .text("Histórico de #geral (1 mensagem):"), items: ["público"]),
    CommandCase(name: "refused lines are not kept", setup: ["ana> um", "ana!> \u{1B}x", "ana!> /privado zeca oi"],
                line: "/historico", reply: .text("Histórico de #geral (1 mensagem):"), items: ["um"]),
    CommandCase(name: "a // line is kept as said", setup: ["ana> //barra"], line: "/historico",
                reply: .text("Histórico de #geral (1 mensagem):"), items: ["/barra"]),
]

let chatLineCases: [CommandCase] = [
    CommandCase(name: "a line is said only in the speaker's current room", setup: ["caio> /entrar dev"],
                line: "olá pessoal", reply: .text(""),
                events: ["ana": [.message], "bia": [.message], "caio": [.message]],
                details: [EventCheck(to: "bia", kind: .message, room: "geral", sender: "ana", text: "olá pessoal")]),
    CommandCase(name: "inside a room it stays in the room", setup: ["ana> /entrar dev", "bia> /entrar dev"],
                line: "oi dev", reply: .text(""),
                events: ["ana": [.message], "bia": [.message]],
                details: [EventCheck(to: "bia", kind: .message, room: "dev", sender: "ana", text: "oi dev")]),
    CommandCase(name: "// says a line starting with /", line: "//x", reply: .text(""),
                events: ["ana": [.message], "bia": [.message], "caio": [.message]],
                details: [EventCheck(to: "caio", kind: .message, sender: "ana", text: "/x")]),
    CommandCase(name: "// never runs a command", line: "//ajuda", reply: .text(""),
                events: ["ana": [.message], "bia": [.message], "caio": [.message]],
                details: [EventCheck(to: "bia", kind: .message, text: "/ajuda")]),
    CommandCase(name: "// alone says /", line: "//", reply: .text(""),
                events: ["ana": [.message], "bia": [.message], "caio": [.message]],
                details: [EventCheck(to: "bia", kind: .message, text: "/")]),
    CommandCase(name: "surrounding spaces are trimmed", line: "  oi  ", reply: .text(""),
                events: ["ana": [.message], "bia": [.message], "caio": [.message]],
                details: [EventCheck(to: "bia", kind: .message, text: "oi")]),
    CommandCase(name: "tabs become spaces", line: "oi\tmundo", reply: .text(""),
                events: ["ana": [.message], "bia": [.message], "caio": [.message]],
                details: [EventCheck(to: "bia", kind: .message, text: "oi mundo")]),
    CommandCase(name: "control characters refuse the line", line: "\u{1B}[2J limpa tudo",
                reply: .fails(.controlCharacters)),
    CommandCase(name: "a DEL refuses the line", line: "oi\u{7F}", reply: .fails(.controlCharacters)),
    CommandCase(name: "only spaces", line: "   ", reply: .fails(.messageEmpty)),
    CommandCase(name: "too long", line: String(repeating: "a", count: 2001), reply: .fails(.messageTooLong(max: 2000))),
    CommandCase(name: "the longest line allowed", line: String(repeating: "a", count: 2000), reply: .text(""),
                events: ["ana": [.message], "bia": [.message], "caio": [.message]]),
    CommandCase(name: "an unknown command suggests the nearest", line: "/entra dev",
                reply: .fails(.unknownCommand("entra", suggestion: "entrar"))),
    CommandCase(name: "the suggestion ignores case", line: "/Entra dev",
                reply: .fails(.unknownCommand("Entra", suggestion: "entrar"))),
    CommandCase(name: "one letter too many", line: "/ajudaa",
                reply: .fails(.unknownCommand("ajudaa", suggestion: "ajuda"))),
    CommandCase(name: "a prefix", line: "/sai", reply: .fails(.unknownCommand("sai", suggestion: "sair"))),
    CommandCase(name: "two letters swapped count as one edit", line: "/pnig",
                reply: .fails(.unknownCommand("pnig", suggestion: "ping"))),
    CommandCase(name: "the last two swapped too", line: "/pign", reply: .fails(.unknownCommand("pign", suggestion: "ping"))),
    CommandCase(name: "a user is not pointed at moderator commands", line: "/expulsa bia",
                reply: .fails(.unknownCommand("expulsa", suggestion: nil))),
    CommandCase(name: "a moderator is", setup: ["ana> /entrar dev"], line: "/expulsa bia",
                reply: .fails(.unknownCommand("expulsa", suggestion: "expulsar"))),
    CommandCase(name: "nothing close", line: "/xyz", reply: .fails(.unknownCommand("xyz", suggestion: nil))),
    CommandCase(name: "a lone slash", line: "/", reply: .fails(.unknownCommand("", suggestion: nil))),
]

@Suite("Messaging")
struct MessagingTests {
    @Test("/privado", arguments: privadoCases)
    func privado(_ row: CommandCase) throws { try row.verify() }

    @Test("/historico", arguments: historicoCases)
    func historico(_ row: CommandCase) throws { try row.verify() }

    @Test("/historico items carry kind, room, sender and recipient")
    func historicoItems() throws {
        let h = try ChatHarness()
        try h.connect("ana")
        try h.connect("bia")
        try h.perform(["ana> bom dia", "~5", "bia> /privado ana psiu"])
        let reply = try #require(h.run("ana", "/historico", requestID: "r7"))
        #expect(reply.requestID == "r7")
        #expect(reply.items.count == 2)
        guard reply.items.count == 2 else { return }
        let (spoken, whispered) = (reply.items[0], reply.items[1])
        #expect(spoken.kind == .message)
        #expect(spoken.room == "geral")
        #expect(spoken.sender == "ana")
        #expect(spoken.target == nil)
        #expect(spoken.time == ManualClock.start)
        #expect(whispered.kind == .privateMessage)
        #expect(whispered.room == nil)
        #expect(whispered.sender == "bia")
        #expect(whispered.target == "ana")
        #expect(whispered.text == "psiu")
        #expect(whispered.time == ManualClock.start.addingTimeInterval(5))
    }

    @Test("chat lines and unknown commands", arguments: chatLineCases)
    func chatLines(_ row: CommandCase) throws { try row.verify() }

    @Test("a request id comes back with replies and errors")
    func requestIDs() throws {
        let h = try ChatHarness()
        try h.connect("ana")
        #expect(h.run("ana", "/ping", requestID: "a1")?.requestID == "a1")
        #expect(h.run("ana", "/nada", requestID: "a2")?.requestID == "a2")
        #expect(h.run("ana", "oi", requestID: "a3")?.requestID == "a3")
        #expect(h.run("ana", "/ping")?.requestID == nil)
    }
}
