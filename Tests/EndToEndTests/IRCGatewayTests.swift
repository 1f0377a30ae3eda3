import Foundation
import IRCServer
import Testing

/// Issue #14 over real sockets: IRC clients and nc users in the same
/// rooms of one server, with IRC's registration, numerics and moderation.
@Suite(.timeLimit(.minutes(1))) struct IRCGatewayTests {
    static let config = IRCConfig(serverName: "My.Little.Server", operators: ["operuser": "operpassword"])

    @Test func registrationGivesTheWelcomeBurstAndNoRoom() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let ana = try IRCTestClient(port: server.ircPort)
        ana.send("CAP LS 302")
        ana.send("NICK ana")
        ana.send("USER ana 0 * :Ana")
        let ls = try ana.waitFor(command: "CAP").message
        #expect(ls.params.prefix(2) == ["*", "LS"])
        #expect(ls.params.last?.split(separator: " ").contains("server-time") == true)
        // Nothing before CAP END: the client is still negotiating.
        ana.send("CAP REQ :server-time bogus-cap")
        #expect(try ana.waitFor(command: "CAP").message.params[1] == "NAK")
        ana.send("CAP END")
        let (welcome, before) = try ana.waitFor(command: "001")
        #expect(before.isEmpty)
        #expect(welcome.source == "My.Little.Server" && welcome.params.first == "ana")
        let burst = try ana.waitFor(command: "422").before
        #expect(burst.map(\.command).prefix(3) == ["002", "003", "004"])
        let tokens = burst.filter { $0.command == "005" }.flatMap { $0.params.dropFirst().dropLast() }
        for token in ["CASEMAPPING=ascii", "CHANTYPES=#", "PREFIX=(ov)@+", "NICKLEN=24"] { #expect(tokens.contains(token)) }
        // In no channel: a WHOIS lists none, and nothing else came.
        ana.send("WHOIS ana")
        let whois = try ana.waitFor(command: "318").before
        #expect(!whois.contains { $0.command == "319" })
        await server.stop()
    }

    @Test func beforeRegistrationOnlyRegistrationIsAnswered() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let early = try IRCTestClient(port: server.ircPort)
        early.send("JOIN #cafe")
        #expect(try early.waitFor(command: "451").message.params.first == "*")
        early.send("NICK papo")
        #expect(try early.waitFor(command: "432").message.params[1] == "papo")
        early.send("QUIT :chkport")
        #expect(try early.waitFor(command: "ERROR").message.command == "ERROR")
        #expect(early.waitForClose())
        // A nick already online is 433, and a new NICK goes on registering.
        let ana = try server.ircClient("ana")
        let second = try IRCTestClient(port: server.ircPort)
        second.send("NICK ANA")
        second.send("USER x 0 * :x")
        #expect(try second.waitFor(command: "433").message.params[1] == "ANA")
        second.send("NICK bia")
        try second.waitFor(command: "001")
        _ = ana
        await server.stop()
    }

    @Test func ircAndNcUsersShareARoomBothWays() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let caio = try server.text("caio")
        let ana = try server.ircClient("ana")
        caio.send("/entrar cafe")
        try caio.waitFor(containing: "Sala #cafe criada")
        ana.send("JOIN #cafe,#cha")
        let join = try ana.waitFor(command: "JOIN", param: "#cafe")
        #expect(join.message.source == "ana!ana@papo")
        let names = try ana.waitFor(command: "353").message
        #expect(names.params == ["ana", "=", "#cafe", "@caio ana"])
        try ana.waitFor(command: "366", param: "#cha")
        try caio.waitFor(containing: "#cafe * ana entrou na sala")
        // IRC to nc, public and private.
        ana.send("PRIVMSG #cafe :bom dia, caio")
        ana.send("PRIVMSG caio :só pra você")
        try caio.waitFor(containing: "#cafe <ana> bom dia, caio")
        try caio.waitFor(containing: "[privado] ana → caio: só pra você")
        // The sender does not get its own message back (no echo-message).
        #expect(try !ana.sync().contains { $0.command == "PRIVMSG" })
        // nc to IRC.
        caio.send("ola, ana")
        caio.send("/privado ana resposta")
        let said = try ana.waitFor(command: "PRIVMSG", param: "#cafe").message
        #expect(said.source == "caio!caio@papo" && said.params == ["#cafe", "ola, ana"])
        let whisper = try ana.waitFor(command: "PRIVMSG", param: "ana").message
        #expect(whisper.params == ["ana", "resposta"])
        // A room ana is in but caio is not: caio never sees it.
        ana.send("PRIVMSG #cha :só no chá")
        _ = try ana.sync()
        caio.send("/ping")
        try caio.waitFor(containing: "pong")
        #expect(!caio.transcript.contains { $0.contains("só no chá") })
        // Renames and leaving, as IRC shows them.
        caio.send("/nome caio2")
        #expect(try ana.waitFor(command: "NICK").message.params == ["caio2"])
        caio.send("/sairsala cafe")
        #expect(try ana.waitFor(command: "PART").message.source == "caio2!caio2@papo")
        await server.stop()
    }

    /// A NOTICE stays a notice on every front end (`-ana-` for nc users,
    /// `/aviso` from them); NAMES takes several channels; +i hides a user
    /// from WHO by mask for those who share no channel with them.
    @Test func noticesNamesAndInvisibleUsers() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let caio = try server.text("caio")
        let ana = try server.ircClient("ana"), bia = try server.ircClient("bia")
        for client in [ana, bia] {
            client.send("JOIN #geral,#cha")
            try client.waitFor(command: "366", param: "#cha")
        }
        ana.send("NOTICE #geral :volto já")
        try caio.waitFor(containing: "#geral -ana- volto já")
        #expect(try bia.waitFor(command: "NOTICE").message.params == ["#geral", "volto já"])
        caio.send("/aviso de saída")
        let notice = try ana.waitFor(command: "NOTICE").message
        #expect(notice.source == "caio!caio@papo" && notice.params == ["#geral", "de saída"])
        bia.send("NAMES #geral,#cha,#nada")
        let (end, names) = try bia.waitFor(command: "366")
        #expect(names.filter { $0.command == "353" }.map { $0.params[2] } == ["#geral", "#cha"])
        #expect(end.params == ["bia", "#geral,#cha,#nada", "Fim da lista de NAMES"])
        ana.send("MODE ana +i")
        #expect(try ana.waitFor(command: "MODE").message.params == ["ana", "+i"])
        ana.send("MODE ana")
        #expect(try ana.waitFor(command: "221").message.params == ["ana", "+i"])
        let dani = try server.ircClient("dani")
        dani.send("WHO an*")
        #expect(try dani.waitFor(command: "315").before.filter { $0.command == "352" }.isEmpty)
        dani.send("WHO ana")
        #expect(try dani.waitFor(command: "315").before.contains { $0.command == "352" })
        bia.send("WHO an*")
        #expect(try bia.waitFor(command: "315").before.contains { $0.command == "352" }, "bia shares a channel with ana")
        await server.stop()
    }

    /// `+s` hides a channel from outsiders (LIST, NAMES, WHO, /salas) and
    /// `-t` lets any member set the topic; both are Papo room settings,
    /// so /modo from nc shows on IRC as MODE and survives in storage.
    @Test func secretAndOpenTopicChannelModes() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let ana = try server.ircClient("ana"), bia = try server.ircClient("bia")
        let caio = try server.text("caio")
        ana.send("JOIN #dev")
        try ana.waitFor(command: "366")
        ana.send("MODE #dev +s")
        #expect(try ana.waitFor(command: "MODE").message.params == ["#dev", "+s"])
        bia.send("LIST")
        let listed = try bia.waitFor(command: "323").before.filter { $0.command == "322" }.map { $0.params[1] }
        #expect(listed == ["#geral"])
        bia.send("NAMES #dev")
        #expect(try bia.waitFor(command: "366").before.filter { $0.command == "353" }.isEmpty)
        caio.send("/salas")
        #expect(!(try caio.waitFor(containing: "Salas (").line.contains("#dev")))
        ana.send("NAMES #dev")
        #expect(try ana.waitFor(command: "353").message.params[1] == "@")
        bia.send("JOIN #dev")
        try bia.waitFor(command: "366")
        bia.send("TOPIC #dev :de todos")
        #expect(try bia.waitFor(command: "482").message.params[1] == "#dev")
        caio.send("/entrar dev")
        try caio.waitFor(containing: "#dev")
        ana.send("MODE #dev -t")
        try caio.waitFor(containing: "deixou qualquer membro mudar o tópico")
        bia.send("TOPIC #dev :de todos")
        #expect(try bia.waitFor(command: "TOPIC").message.params == ["#dev", "de todos"])
        bia.send("MODE #dev")
        #expect(try bia.waitFor(command: "324").message.params == ["bia", "#dev", "+ns"])
        await server.stop()
    }

    /// `+b` takes a pattern in the nick (it bars joins, removes nobody) and
    /// `+e` exempts names from every ban, as Ergo's irctest run expects;
    /// an nc moderator's `/modo +e` shows on IRC as MODE +e.
    @Test func patternBansAndExceptions() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let ana = try server.ircClient("ana"), bar = try server.ircClient("bar")
        let caio = try server.text("caio")
        ana.send("JOIN #dev")
        try ana.waitFor(command: "366")
        caio.send("/entrar dev")
        try ana.waitFor(command: "JOIN")
        ana.send("MODE #dev +b ba*!*@*")
        #expect(try ana.waitFor(command: "MODE").message.params == ["#dev", "+b", "ba*!*@*"])
        try caio.waitFor(containing: "ana baniu ba*")
        bar.send("JOIN #dev")
        #expect(try bar.waitFor(command: "474").message.params[1] == "#dev")
        ana.send("MODE #dev +e *ar!*@*")
        #expect(try ana.waitFor(command: "MODE").message.params == ["#dev", "+e", "*ar!*@*"])
        try caio.waitFor(containing: "isentou *ar dos banimentos")
        bar.send("JOIN #dev")
        try bar.waitFor(command: "366")
        bar.send("MODE #dev e")
        let (end, listed) = try bar.waitFor(command: "349")
        #expect(end.params[1] == "#dev" && listed.filter { $0.command == "348" }.map { $0.params[2] } == ["*ar!*@*"])
        ana.send("MODE #dev +o caio")
        #expect(try bar.waitFor(command: "MODE").message.params == ["#dev", "+o", "caio"])
        caio.send("/modo -e *ar")
        #expect(try bar.waitFor(command: "MODE").message.params == ["#dev", "-e", "*ar!*@*"])
        await server.stop()
    }

    /// A channel's lines are rendered once per variant (with or without
    /// server-time) and shared: each member still gets exactly its own
    /// form, in order, the sender its echo only when it asked, and a
    /// client that turns server-time on mid-session gets the tags from then on.
    @Test func sharedRenderingsGiveEachClientItsOwnForm() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let caio = try server.text("caio")
        let ana = try server.ircClient("ana", before: ["CAP LS 302", "CAP REQ :server-time echo-message", "CAP END"])
        let bia = try server.ircClient("bia")
        let dani = try server.ircClient("dani", before: ["CAP LS 302", "CAP REQ :server-time", "CAP END"])
        for client in [ana, bia, dani] {
            client.send("JOIN #geral")
            try client.waitFor(command: "366")
        }
        _ = try [ana, bia, dani].map { try $0.sync() }
        let lines = (1...20).map { "linha \($0)" }
        for line in lines { caio.send(line) }
        ana.send("PRIVMSG #geral :da ana")
        func said(_ client: IRCTestClient, count: Int) throws -> [IRCMessage] {
            var got: [IRCMessage] = []
            while got.count < count, let message = client.next() {
                if message.command == "PRIVMSG" { got.append(message) }
            }
            return got
        }
        for (client, timed) in [(ana, true), (bia, false), (dani, true)] {
            let got = try said(client, count: 21)
            #expect(got.filter { $0.source == "caio!caio@papo" }.map { $0.params } == lines.map { ["#geral", $0] })
            #expect(got.filter { $0.source == "ana!ana@papo" }.map(\.params) == [["#geral", "da ana"]])
            #expect(got.allSatisfy { ($0.tags["time"] != nil) == timed }, "\(got.map(\.tags))")
        }
        #expect(try !ana.sync().contains { $0.command == "PRIVMSG" }, "the echo comes once")
        bia.send("CAP REQ :server-time")
        try bia.waitFor(command: "CAP")
        caio.send("agora com hora")
        let late = try bia.waitFor(command: "PRIVMSG").message
        #expect(late.params == ["#geral", "agora com hora"] && late.tags["time"] != nil)
        #expect(try dani.waitFor(command: "PRIVMSG").message.params == ["#geral", "agora com hora"])
        await server.stop()
    }

    @Test func joiningReplaysTheRoomsLastLinesToClientsWithServerTime() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let caio = try server.text("caio")
        for line in ["um", "dois", "três"] { caio.send(line) }
        try caio.waitFor(containing: "<caio> três")
        server.storage.flush()
        let ana = try server.ircClient("ana", before: ["CAP LS 302", "CAP REQ :server-time batch", "CAP END"])
        ana.send("JOIN #geral")
        try ana.waitFor(command: "366")
        let start = try ana.waitFor(command: "BATCH").message
        #expect(start.params.dropFirst() == ["chathistory", "#geral"])
        let (end, replayed) = try ana.waitFor(command: "BATCH")
        #expect(end.params == ["-" + start.params[0].dropFirst()])
        #expect(replayed.map { $0.params } == [["#geral", "um"], ["#geral", "dois"], ["#geral", "três"]])
        #expect(replayed.allSatisfy { $0.tags["time"]?.hasSuffix("Z") == true && $0.tags["batch"] == String(start.params[0].dropFirst()) })
        // Without server-time, nothing is replayed: the lines would look new.
        let bia = try server.ircClient("bia")
        bia.send("JOIN #geral")
        try bia.waitFor(command: "366")
        #expect(try !bia.sync().contains { $0.command == "PRIVMSG" || $0.command == "BATCH" })
        await server.stop()
    }

    @Test func accountsLogInWithSASLOrPASSAndARegisteredNickNeedsIt() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let owner = try server.text("ana")
        owner.send("/registrar senha1234")
        try owner.waitFor(containing: "O nome ana agora é seu")
        owner.send("/sair")
        #expect(owner.waitForClose())
        // Without its password the nick is refused, and the client may pick another.
        let guest = try IRCTestClient(port: server.ircPort)
        guest.send("NICK ana")
        guest.send("USER a 0 * :a")
        #expect(try guest.waitFor(command: "433").message.params.last?.contains("PASS") == true)
        // SASL PLAIN: a wrong password is 904, the right one 900 and 903, then the account's name.
        let sasl = try IRCTestClient(port: server.ircPort)
        sasl.send("CAP LS 302")
        #expect(try sasl.waitFor(command: "CAP").message.params.last?.contains("sasl=PLAIN") == true)
        sasl.send("CAP REQ :sasl")
        try sasl.waitFor(command: "CAP")
        sasl.send("AUTHENTICATE PLAIN")
        #expect(try sasl.waitFor(command: "AUTHENTICATE").message.params == ["+"])
        sasl.send("AUTHENTICATE " + Data("\0ana\0errada99".utf8).base64EncodedString())
        try sasl.waitFor(command: "904")
        sasl.send("AUTHENTICATE PLAIN")
        try sasl.waitFor(command: "AUTHENTICATE")
        sasl.send("AUTHENTICATE " + Data("ana\0ana\0senha1234".utf8).base64EncodedString())
        #expect(try sasl.waitFor(command: "900").message.params[2] == "ana")
        try sasl.waitFor(command: "903")
        sasl.send("NICK outro")
        sasl.send("USER a 0 * :a")
        sasl.send("CAP END")
        #expect(try sasl.waitFor(command: "001").message.params.first == "ana")
        sasl.send("QUIT")
        #expect(sasl.waitForClose())
        // PASS before NICK, for clients without SASL.
        let pass = try IRCTestClient(port: server.ircPort)
        pass.send("PASS senha1234")
        pass.send("NICK ana")
        pass.send("USER a 0 * :a")
        #expect(try pass.waitFor(command: "001").message.params.first == "ana")
        #expect(try pass.waitFor(command: "900").message.params[2] == "ana")
        _ = guest
        await server.stop()
    }

    @Test func errorsAreTheUsualNumerics() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let ana = try server.ircClient("ana")
        let bia = try server.ircClient("bia")
        let cases: [(line: String, numeric: String)] = [
            ("PRIVMSG nobody :oi", "401"),
            ("PRIVMSG #nowhere :oi", "404"),
            ("PRIVMSG", "411"),
            ("PRIVMSG bia", "412"),
            ("PART #nowhere", "403"),
            ("TOPIC #nowhere", "403"),
            ("JOIN", "461"),
            ("FROBNICATE", "421"),
            ("NICK bia", "433"),
            ("NICK 9lives", "432"),
            ("USER a 0 * :a", "462"),
            ("KICK #cafe bia", "403"),
            ("MODE #cafe +o bia", "403"),
            ("JOIN inv@lid", "403"),
            ("OPER operuser wrong", "464"),
        ]
        for (line, numeric) in cases {
            ana.send(line)
            let seen = try ana.sync()
            #expect(seen.map(\.command) == [numeric], "\(line)")
        }
        // Not a moderator: 482 (dani created #cafe, so she is its operator).
        let dani = try server.ircClient("dani")
        dani.send("JOIN #cafe")
        try dani.waitFor(command: "366")
        ana.send("JOIN #cafe")
        try ana.waitFor(command: "366")
        ana.send("KICK #cafe dani")
        #expect(try ana.sync().map(\.command) == ["482"])
        _ = bia
        ana.send("TOPIC #cafe :meu tópico")
        #expect(try ana.sync().map(\.command) == ["482"])
        dani.send("KICK #cafe bia")
        // (dani also sees ana's JOIN before it)
        #expect(try dani.sync().map(\.command).filter { $0.allSatisfy(\.isNumber) } == ["441"])
        ana.send("PART #geral")
        #expect(try ana.sync().map(\.command) == ["442"])
        // A line too long and one that is not UTF-8 cost nothing else.
        ana.send("PRIVMSG #cafe :" + String(repeating: "a", count: 600))
        #expect(try ana.sync().map(\.command) == ["417"])
        ana.sendRaw([0x50, 0x52, 0x49, 0x56, 0x4D, 0x53, 0x47, 0x20, 0x23, 0x63, 0x20, 0x3A, 0xFF, 0x0D, 0x0A])
        #expect(try ana.sync().map(\.command) == ["FAIL"])
        await server.stop()
    }

    @Test func moderationCrossesFrontEnds() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let ana = try server.ircClient("ana")
        let caio = try server.text("caio")
        ana.send("JOIN #cafe")
        try ana.waitFor(command: "353")
        caio.send("/entrar cafe")
        try ana.waitFor(command: "JOIN")
        // The IRC creator kicks the nc user, with a reason both sides see.
        ana.send("KICK #cafe caio :chega")
        try caio.waitFor(containing: "#cafe * ana expulsou caio (chega)")
        #expect(try ana.waitFor(command: "KICK").message.params == ["#cafe", "caio", "chega"])
        // A ban by mask keeps the nc user out; the list shows it.
        ana.send("MODE #cafe +b caio!*@*")
        #expect(try ana.waitFor(command: "MODE").message.params == ["#cafe", "+b", "caio!*@*"])
        caio.send("/entrar cafe")
        try caio.waitFor(containing: "banido")
        ana.send("MODE #cafe +b")
        let list = try ana.waitFor(command: "368").before
        #expect(list.filter { $0.command == "367" }.map { $0.params[2] } == ["caio!*@*"])
        ana.send("MODE #cafe -b caio!*@*")
        try ana.waitFor(command: "MODE")
        caio.send("/entrar cafe")
        try ana.waitFor(command: "JOIN")
        // An nc moderator's kick shows on IRC as KICK; NAMES marks the operator.
        let bia = try server.text("bia")
        bia.send("/entrar loja")
        try bia.waitFor(containing: "Sala #loja criada")
        ana.send("JOIN #loja")
        #expect(try ana.waitFor(command: "353").message.params.last == "@bia ana")
        bia.send("/em loja /expulsar ana")
        bia.send("/sala loja")
        bia.send("/expulsar ana")
        let kick = try ana.waitFor(command: "KICK", param: "#loja").message
        #expect(kick.source == "bia!bia@papo" && kick.params[1] == "ana")
        // Kicked from the last channel, an IRC user stays in none (not sent to #geral).
        #expect(try !ana.sync().contains { $0.command == "JOIN" })
        await server.stop()
    }

    @Test func operatorsAreMadeWithModeAndKickSeveral() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let ana = try server.ircClient("ana"), bia = try server.ircClient("bia")
        let caio = try server.ircClient("caio"), dani = try server.ircClient("dani")
        for client in [ana, bia, caio, dani] {
            client.send("JOIN #sala")
            try client.waitFor(command: "366")
        }
        // A guest made operator by the room's creator may kick; WHO shows @ and the USER names.
        ana.send("MODE #sala +o bia")
        #expect(try bia.waitFor(command: "MODE").message.params == ["#sala", "+o", "bia"])
        bia.send("WHO #sala")
        let rows = try bia.waitFor(command: "315").before.filter { $0.command == "352" }
        #expect(rows.map { $0.params[6] } == ["H@", "H@", "H", "H"])
        #expect(rows.map { $0.params[2] } == ["ana", "bia", "caio", "dani"])
        bia.send("KICK #sala caio,dani :fora")
        _ = try bia.sync()
        let kicks = try ana.sync().filter { $0.command == "KICK" }
        #expect(kicks.map { $0.params } == [["#sala", "caio", "fora"], ["#sala", "dani", "fora"]])
        // Guest operators kick each other, as on IRC, even the creator, who
        // comes back an operator still.
        bia.send("KICK #sala ana :troca")
        #expect(try ana.waitFor(command: "KICK").message.params == ["#sala", "ana", "troca"])
        ana.send("JOIN #sala")
        #expect(try ana.waitFor(command: "353").message.params.last?.split(separator: " ").contains("@ana") == true)
        try bia.waitFor(command: "JOIN")
        // Taken back, bia is a member like any other.
        ana.send("MODE #sala -o bia")
        try bia.waitFor(command: "MODE")
        bia.send("KICK #sala ana")
        #expect(try bia.sync().map(\.command) == ["482"])
        // PART with a reason, and AWAY in WHO.
        bia.send("AWAY :almoço")
        try bia.waitFor(command: "306")
        ana.send("WHO bia")
        #expect(try ana.waitFor(command: "352").message.params[6] == "G")
        // WHOX: the fields asked for, in the extension's order whatever the
        // order asked; the token echoed only when it is up to 3 digits.
        ana.send("WHO bia %tcnfa,42")
        #expect(try ana.waitFor(command: "354").message.params == ["ana", "42", "#sala", "bia", "G", "0"])
        ana.send("WHO bia %afnct,42")
        #expect(try ana.waitFor(command: "354").message.params == ["ana", "42", "#sala", "bia", "G", "0"])
        ana.send("WHO bia %tnr,4x2")
        #expect(try ana.waitFor(command: "354").message.params == ["ana", "0", "bia", "bia"])
        #expect(try ana.waitFor(command: "315").before.isEmpty)
        bia.send("PART #sala :até mais")
        #expect(try ana.waitFor(command: "PART").message.params == ["#sala", "até mais"])
        await server.stop()
    }

    @Test func botCommandsRunFromIRC() async throws {
        let bots = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(at: bots, withIntermediateDirectories: true)
        try """
        papo.command{name = "eco", help = "repete", run = function(ctx) return "eco: " .. ctx.args end}
        """.write(to: bots.appendingPathComponent("eco.lua"), atomically: true, encoding: .utf8)
        let server = try await TestServer.start(bots: bots, irc: Self.config)
        let ana = try server.ircClient("ana")
        let caio = try server.text("caio")
        ana.send("PRIVMSG papo :eco oi")
        let notice = try ana.waitFor(command: "NOTICE").message
        #expect(notice.source == "papo!bot@papo" && notice.params == ["ana", "eco: oi"])
        ana.send("PRIVMSG papo :/ping")
        #expect(try ana.waitFor(command: "NOTICE").message.params.last == "pong")
        // `!eco` in a channel: the line and the bot's answer are public.
        ana.send("JOIN #geral")
        try ana.waitFor(command: "366")
        ana.send("PRIVMSG #geral :!eco todos")
        try caio.waitFor(containing: "#geral <ana> !eco todos")
        try caio.waitFor(containing: "#geral <papo> eco: todos")
        let answer = try ana.waitFor(command: "PRIVMSG", param: "#geral").message
        #expect(answer.source == "papo!bot@papo" && answer.params.last == "eco: todos")
        // A password command is never said in a channel.
        ana.send("PRIVMSG #geral :!registrar minhasenha")
        #expect(try ana.waitFor(command: "NOTICE").message.params.last?.contains("senha") == true)
        caio.send("/ping")
        try caio.waitFor(containing: "pong")
        #expect(!caio.transcript.contains { $0.contains("minhasenha") })
        // WHOIS knows the bot, which is in no channel's NAMES.
        ana.send("WHOIS papo")
        #expect(try ana.waitFor(command: "318").before.contains { $0.command == "335" })
        ana.send("NAMES #geral")
        #expect(try ana.waitFor(command: "353").message.params.last?.split(separator: " ").contains("papo") == false)
        await server.stop()
    }

    @Test func pingsAndQuitKeepTheirOrder() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let ana = try server.ircClient("ana")
        let bia = try server.ircClient("bia")
        for client in [ana, bia] {
            client.send("JOIN #cafe")
            try client.waitFor(command: "366")
        }
        _ = try ana.sync()
        // What bia says reaches ana before the answer to ana's next PING.
        bia.send("PRIVMSG #cafe :um")
        bia.send("PRIVMSG #cafe :dois")
        _ = try bia.sync()
        let seen = try ana.sync()
        #expect(seen.filter { $0.command == "PRIVMSG" }.map { $0.params.last } == ["um", "dois"])
        bia.send("QUIT :fui")
        #expect(try bia.waitFor(command: "ERROR").message.command == "ERROR")
        let quit = try ana.waitFor(command: "QUIT").message
        #expect(quit.source == "bia!bia@papo" && quit.params.last == "Quit: fui")
        await server.stop()
    }

    /// The findings of a hostile review of the front end, each kept fixed.
    @Test func hostileInputForgesNothingAndBypassesNothing() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let ana = try server.ircClient("ana")
        // Control characters in USER never reach another client (a forged line).
        let eve = try IRCTestClient(port: server.ircPort)
        eve.send("NICK eve")
        eve.sendRaw(Array("USER ev\rx 0 * :x\r:papo!bot@papo PRIVMSG ana :forged\u{0}z\r\n".utf8))
        try eve.waitFor(command: "001")
        ana.send("WHOIS eve")
        let whois = try ana.waitFor(command: "318").before
        #expect(!whois.contains { $0.command == "PRIVMSG" })
        #expect(whois.first { $0.command == "311" }.map { $0.params[2] == "evx" && !$0.params[5].contains("\r") } == true)
        // `!command` in a channel one is not in: nothing is said there, the answer comes privately.
        ana.send("JOIN #priv")
        try ana.waitFor(command: "366")
        _ = try ana.sync()
        eve.send("PRIVMSG #priv :!ping")
        _ = try eve.sync()
        #expect(try !ana.sync().contains { $0.command == "PRIVMSG" })
        // A password command spelt oddly is still never said.
        for line in ["!/identificar ana senha12345", "! identificar ana senha12345", "!em priv /identificar ana senha12345"] {
            ana.send("PRIVMSG #priv :\(line)")
        }
        let refusals = try ana.sync()
        #expect(refusals.filter { $0.command == "NOTICE" }.count == 3)
        // A short answer is said in the channel before the answer to the next PING.
        eve.send("JOIN #priv")
        try eve.waitFor(command: "366")
        ana.send("PRIVMSG #priv :!ping")
        #expect(try ana.sync().contains { $0.command == "PRIVMSG" && $0.source == "papo!bot@papo" && $0.params.last == "pong" })
        #expect(try !eve.sync().contains { $0.params.last?.contains("senha12345") == true })
        // A guest made operator cannot deop (or so ban) the room's creator.
        ana.send("MODE #priv +o eve")
        try eve.waitFor(command: "MODE")
        eve.send("MODE #priv -o ana")
        #expect(try eve.sync().map(\.command).filter { $0.allSatisfy(\.isNumber) } == ["482"])
        // The creator can take it back.
        ana.send("MODE #priv -o eve")
        #expect(try eve.waitFor(command: "MODE").message.params == ["#priv", "-o", "eve"])
        // Three wrong OPER passwords close the connection.
        for attempt in 1...3 { eve.send("OPER operuser errada\(attempt)") }
        #expect(eve.waitForClose())
        await server.stop()
    }

    @Test func linesSentDuringAPasswordCheckWaitForIt() async throws {
        let server = try await TestServer.start(irc: Self.config)
        let owner = try server.text("ana")
        owner.send("/registrar senha1234")
        try owner.waitFor(containing: "O nome ana agora é seu")
        owner.send("/sair")
        #expect(owner.waitForClose())
        let ana = try IRCTestClient(port: server.ircPort)
        for line in ["PASS senha1234", "NICK ana", "USER a 0 * :a", "JOIN #depois", "PING tok1"] { ana.send(line) }
        try ana.waitFor(command: "001")
        #expect(try ana.waitFor(command: "JOIN").message.params == ["#depois"])
        try ana.waitFor(command: "PONG", param: "tok1")
        await server.stop()
    }
}
