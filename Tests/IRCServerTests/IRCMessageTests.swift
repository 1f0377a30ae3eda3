import ChatCore
import Foundation
@testable import IRCServer
import Testing

/// Table-driven tests of the IRC line parser, its serializer, the MODE
/// parser and the renderer of core events.
@Suite struct IRCMessageTests {
    @Test(arguments: [
        ("PING tok", IRCMessage(command: "PING", params: ["tok"])),
        ("privmsg #a :oi  gente", IRCMessage(command: "PRIVMSG", params: ["#a", "oi  gente"])),
        (":ana!a@h NICK :bia", IRCMessage(source: "ana!a@h", command: "NICK", params: ["bia"])),
        ("@time=x;+a=b\\sc :s CMD p1  p2 :", IRCMessage(tags: ["time": "x", "+a": "b c"], source: "s", command: "CMD",
                                                      params: ["p1", "p2", ""])),
        ("USER u 0 * :Real Name", IRCMessage(command: "USER", params: ["u", "0", "*", "Real Name"])),
        ("  JOIN   #a,#b ", IRCMessage(command: "JOIN", params: ["#a,#b"])),
    ])
    func parses(_ line: String, _ expected: IRCMessage) {
        #expect(IRCMessage(parsing: Substring(line)) == expected)
    }

    @Test func emptyLinesHaveNoCommand() {
        #expect(IRCMessage(parsing: "") == nil)
        #expect(IRCMessage(parsing: ":source") == nil)
        #expect(IRCMessage(parsing: "@tag") == nil)
    }

    @Test(arguments: [
        (IRCMessage(source: "s", command: "PRIVMSG", params: ["#a", "oi"]), ":s PRIVMSG #a :oi"),
        (IRCMessage(command: "JOIN", params: ["#a"]), "JOIN #a"),
        (IRCMessage(command: "MODE", params: ["#a", "+b", "x!*@*"]), "MODE #a +b x!*@*"),
        (IRCMessage(command: "PART", params: ["#a", "com espaço"]), "PART #a :com espaço"),
        (IRCMessage(tags: ["time": "a b"], command: "PONG", params: ["s", "t"]), "@time=a\\sb PONG s :t"),
    ])
    func serializes(_ message: IRCMessage, _ line: String) {
        #expect(message.serialized() == line)
        #expect(IRCMessage(parsing: Substring(line)) == message)
    }

    @Test(arguments: [
        ("+b", ["x!*@*"], [IRCCommands.ModeChange(adding: true, mode: "b", argument: "x!*@*")]),
        ("+b", [], [IRCCommands.ModeChange(adding: true, mode: "b", argument: nil)]),
        ("+o-b", ["ana", "bia!*@*"], [IRCCommands.ModeChange(adding: true, mode: "o", argument: "ana"),
                                      IRCCommands.ModeChange(adding: false, mode: "b", argument: "bia!*@*")]),
        ("+e", ["ba*!*@*"], [IRCCommands.ModeChange(adding: true, mode: "e", argument: "ba*!*@*")]),
        ("-lt", [], [IRCCommands.ModeChange(adding: false, mode: "l", argument: nil),
                     IRCCommands.ModeChange(adding: false, mode: "t", argument: nil)]),
    ])
    func parsesModeChanges(_ modes: String, _ arguments: [String], _ expected: [IRCCommands.ModeChange]) {
        #expect(IRCCommands.parseChanges(modes, arguments: arguments) == expected)
    }

    @Test(arguments: [("bia!*@*", "bia"), ("bia", "bia"), ("bia!*", "bia"), ("*!*@host", nil), ("b*a!*@*", "b*a"),
                      ("ba?!*", "ba?"), ("bia!user@host", nil), ("!*@*", nil)] as [(String, String?)])
    func readsTheNickOfABanMask(_ mask: String, _ nick: String?) {
        #expect(IRCCommands.nick(ofMask: mask) == nick)
    }

    static let time = Date(timeIntervalSince1970: 1_764_700_000.25)

    @Test(arguments: [
        (ChatEvent(kind: .message, room: "cafe", sender: "bia", text: "oi", time: time), [":bia!bia@papo PRIVMSG #cafe :oi"]),
        (ChatEvent(kind: .message, room: "cafe", sender: "ana", text: "meu", time: time), []),
        (ChatEvent(kind: .privateMessage, sender: "bia", target: "ana", text: "psiu", time: time),
         [":bia!bia@papo PRIVMSG ana :psiu"]),
        (ChatEvent(kind: .privateMessage, sender: "papo", target: "ana", text: "resposta", time: time),
         [":papo!bot@papo NOTICE ana :resposta"]),
        (ChatEvent(kind: .connect, room: "geral", sender: "bia", time: time), [":bia!bia@papo JOIN #geral"]),
        (ChatEvent(kind: .leave, room: "cafe", sender: "bia", target: "geral", time: time), [":bia!bia@papo PART #cafe"]),
        (ChatEvent(kind: .disconnect, room: "cafe", sender: "bia", time: time), [":bia!bia@papo QUIT :Saiu do chat"]),
        (ChatEvent(kind: .rename, room: "cafe", sender: "bia", target: "bea", time: time), [":bia!bia@papo NICK bea"]),
        (ChatEvent(kind: .topic, room: "cafe", sender: "bia", time: time), [":bia!bia@papo TOPIC #cafe :"]),
        (ChatEvent(kind: .kick, room: "cafe", sender: "bia", target: "caio", time: time),
         [":bia!bia@papo KICK #cafe caio :bia"]),
        (ChatEvent(kind: .ban, room: "cafe", sender: "bia", target: "caio", time: time),
         [":bia!bia@papo MODE #cafe +b caio!*@*", ":bia!bia@papo KICK #cafe caio :Banido por bia"]),
        (ChatEvent(kind: .ban, room: "cafe", sender: "bia", target: "caio", text: ChatEvent.banOfAbsentName, time: time),
         [":bia!bia@papo MODE #cafe +b caio!*@*"]),
        (ChatEvent(kind: .moderatorAdded, room: "cafe", sender: "bia", target: "caio", time: time),
         [":bia!bia@papo MODE #cafe +o caio"]),
        (ChatEvent(kind: .current, room: "cafe", sender: "ana", time: time), []),
        (ChatEvent(kind: .message, room: "cafe", sender: "bia", text: "a\rb", time: time), [":bia!bia@papo PRIVMSG #cafe :a b"]),
    ])
    func rendersEvents(_ event: ChatEvent, _ lines: [String]) {
        let viewer = IRCRenderer.Viewer(nick: "ana", caps: [], serverName: "s.example")
        #expect(IRCRenderer.lines(for: event, viewer: viewer).map { $0.serialized() } == lines)
    }

    @Test func serverTimeAndEchoFollowTheCapabilities() {
        let event = ChatEvent(kind: .message, room: "cafe", sender: "ana", text: "meu", time: Self.time)
        let viewer = IRCRenderer.Viewer(nick: "ana", caps: [.echoMessage, .serverTime], serverName: "s.example")
        #expect(IRCRenderer.lines(for: event, viewer: viewer).map { $0.serialized() }
            == ["@time=2025-12-02T18:26:40.250Z :ana!ana@papo PRIVMSG #cafe :meu"])
    }

    @Test(arguments: [
        (ChatError.noSuchUser("x"), "PRIVMSG", "x", "401"),
        (ChatError.notMember("a"), "PRIVMSG", "#a", "404"),
        (ChatError.notMember("a"), "PART", "#a", "442"),
        (ChatError.bannedFromRoom("a"), "JOIN", "#a", "474"),
        (ChatError.notModerator("a"), "KICK", "#a", "482"),
        (ChatError.nameTaken("x"), "NICK", "x", "433"),
        (ChatError.nameInvalid("9x"), "NICK", "9x", "432"),
        (ChatError.tooManyRooms(max: 2), "JOIN", "#a", "405"),
        (ChatError.topicTooLong(max: 300), "TOPIC", "#a", "NOTICE"),
    ])
    func mapsErrorsToNumerics(_ error: ChatError, _ command: String, _ target: String, _ numeric: String) {
        let viewer = IRCRenderer.Viewer(nick: "ana", caps: [], serverName: "s.example")
        let message = IRCRenderer.numeric(for: error, command: command, target: target, viewer: viewer)
        #expect(message.command == numeric)
        #expect(message.params.first == "ana" && message.params.last == error.message)
    }
}
