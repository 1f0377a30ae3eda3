import Foundation
import IRCServer
import Testing

/// Issue #14 with the real IRC clients people use, irssi and weechat
/// (Debian's packages), driven in tmux with their default settings, beside
/// an nc user in the same rooms.
@Suite(.timeLimit(.minutes(2)), .serialized) struct IRCClientsTests {
    static let config = IRCConfig(serverName: "irc.papo.test")

    @Test func irssiChatsWithAnNcUser() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let home = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let irssi = try Tmux(command: "irssi --home=\(home.path) -c 127.0.0.1 -p \(server.ircPort) -n ana")
        defer { irssi.kill() }
        try irssi.waitForScreen(containing: "Este servidor não tem MOTD")
        let caio = try server.text("caio")
        caio.send("/entrar cafe")
        try caio.waitFor(containing: "Sala #cafe criada")
        // Two channels; ana creates #cha, so she is its operator.
        irssi.send(keys: "/join #cafe,#cha", "Enter")
        try caio.waitFor(containing: "#cafe * ana entrou na sala")
        try irssi.waitForScreen(containing: "has joined #cha")
        caio.send("/entrar cha")
        irssi.send(keys: "/window goto #cafe", "Enter")
        caio.send("/em cafe olá, ana: ação e café")
        // caio created #cafe: irssi shows him as its operator.
        try irssi.waitForScreen(containing: "<@caio> olá, ana: ação e café")
        irssi.send(keys: "oi caio, aqui é o irssi: pão de queijo", "Enter")
        try caio.waitFor(containing: "#cafe <ana> oi caio, aqui é o irssi: pão de queijo")
        // Private messages both ways.
        irssi.send(keys: "/msg caio só pra você", "Enter")
        try caio.waitFor(containing: "[privado] ana → caio: só pra você")
        caio.send("/privado ana recebido")
        irssi.send(keys: "/window goto caio", "Enter")
        try irssi.waitForScreen(containing: "<caio> recebido")
        // A bot command, answered as a NOTICE from the bot.
        irssi.send(keys: "/msg papo ping", "Enter")
        irssi.send(keys: "/window goto papo", "Enter")
        try irssi.waitForScreen(containing: "-papo(bot@papo)- pong")
        // The operator of #cha kicks the nc user.
        irssi.send(keys: "/window goto #cha", "Enter")
        try irssi.waitForScreen(containing: "caio [caio@papo] has joined #cha")
        irssi.send(keys: "/kick caio", "Enter")
        try caio.waitFor(containing: "#cha * ana expulsou caio")
        let screen = try irssi.waitForScreen(containing: "caio was kicked from #cha")
        #expect(!screen.contains("\u{FFFD}"))
        irssi.send(keys: "/quit tchau", "Enter")
        try caio.waitFor(containing: "ana saiu do chat (Quit: tchau)")
        await server.stop()
    }

    @Test func weechatChatsWithAnNcUser() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let home = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let caio = try server.text("caio")
        caio.send("/entrar cafe")
        try caio.waitFor(containing: "Sala #cafe criada")
        let setup = "/server add papo 127.0.0.1/\(server.ircPort) -notls; /set irc.server.papo.nicks bia;"
            + " /set irc.server.papo.autojoin #cafe,#cha; /connect papo"
        let weechat = try Tmux(command: "weechat -d \(home.path) -r '\(setup)'")
        defer { weechat.kill() }
        try caio.waitFor(containing: "#cafe * bia entrou na sala")
        weechat.send(keys: "/buffer #cafe", "Enter")
        caio.send("/em cafe olá, bia: ação")
        try weechat.waitForScreen(containing: "@caio | olá, bia: ação")
        weechat.send(keys: "oi caio, aqui é o weechat: pão", "Enter")
        try caio.waitFor(containing: "#cafe <bia> oi caio, aqui é o weechat: pão")
        weechat.send(keys: "/msg caio em particular", "Enter")
        try caio.waitFor(containing: "[privado] bia → caio: em particular")
        // The bot's NOTICE lands in the server's buffer.
        weechat.send(keys: "/msg papo ping", "Enter")
        weechat.send(keys: "/buffer 1", "Enter")
        try weechat.waitForScreen(containing: "papo (bot@papo): pong")
        let screen = weechat.screen()
        #expect(!screen.contains("\u{FFFD}"))
        weechat.send(keys: "/quit", "Enter")
        try caio.waitFor(containing: "bia saiu do chat")
        await server.stop()
    }
}
