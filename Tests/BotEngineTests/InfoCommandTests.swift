import BotEngine
import ChatCore
import Foundation
import Testing

// /ajuda, /usuarios, /hora, /ping, /stats, /salas: commands that only answer
// the caller. Every row also checks (through the empty `events`) that nobody
// receives an event because of them.

/// The help lines every user sees.
let helpForEveryone = [
    "  /ajuda [comando] (/help) — lista os comandos que você pode usar",
    "  /sair [motivo] (/quit) — desconecta do chat",
    "  /usuarios [sala] (/users, /who) — lista os usuários conectados e suas salas, ou os membros de uma sala",
    "  /nome <novo_nome> (/nick) — muda o seu nome",
    "  /privado <nome> <mensagem> (/msg, /pm) — envia uma mensagem privada",
    "  /historico [sala] [n] (/history) —",
    "  /hora (/time) — mostra a data e a hora do servidor",
    "  /ping — testa a conexão: o bot responde pong",
    "  /stats (/estatisticas) —",
    "  /salas (/rooms, /list) — lista as salas",
    "  /entrar <sala> (/join) — entra numa sala (e a cria, se não existir) e fala nela",
    "  /sairsala [sala] (/part, /leave) — sai de uma sala (por padrão, da atual)",
    "  /topico [texto | -] (/topic) —",
    "  /admin <senha> (/oper) — torna-se administrador do servidor",
]

/// What only moderators and admins see in /ajuda.
let helpForModerators = ["/expulsar", "/banir", "/desbanir", "(/kick)", "(/ban)", "(/unban)"]

let ajudaCases: [CommandCase] = [
    CommandCase(name: "a user sees only what a user may run", line: "/ajuda",
                reply: .containsExcluding(["Comandos disponíveis:"] + helpForEveryone
                    + ["Linhas sem / são enviadas à sua sala; use // para começar uma mensagem com /."],
                    helpForModerators)),
    CommandCase(name: "a room's moderator also sees the moderation commands", setup: ["ana> /entrar dev"],
                line: "/ajuda", reply: .contains(helpForEveryone + helpForModerators)),
    CommandCase(name: "an admin sees the moderation commands even in #geral", setup: ["ana> /admin segredo"],
                line: "/ajuda", reply: .contains(helpForEveryone + helpForModerators)),
    CommandCase(name: "a moderator of #dev back in #geral is a plain user there",
                setup: ["ana> /entrar dev", "ana> /entrar geral"],
                line: "/ajuda", reply: .containsExcluding(helpForEveryone, helpForModerators)),
    CommandCase(name: "a plain member of someone else's room is not a moderator",
                setup: ["bia> /entrar dev", "ana> /entrar dev"],
                line: "/ajuda", reply: .containsExcluding(helpForEveryone, helpForModerators)),
    CommandCase(name: "details of one command, with its aliases", line: "/ajuda privado",
                reply: .text("/privado <nome> <mensagem> — envia uma mensagem privada\nTambém: /msg, /pm")),
    CommandCase(name: "details accept a leading slash", line: "/ajuda /entrar",
                reply: .text("/entrar <sala> — entra numa sala (e a cria, se não existir) e fala nela\nTambém: /join")),
    CommandCase(name: "details are case-insensitive", line: "/ajuda PRIVADO",
                reply: .text("/privado <nome> <mensagem> — envia uma mensagem privada\nTambém: /msg, /pm")),
    CommandCase(name: "details of a command without aliases", line: "/ajuda ping",
                reply: .text("/ping — testa a conexão: o bot responde pong")),
    CommandCase(name: "details looked up by alias", setup: ["ana> /entrar dev"], line: "/ajuda kick",
                reply: .text("/expulsar <nome> — tira o usuário da sala (de #geral: desconecta); ele pode voltar\nTambém: /kick")),
    CommandCase(name: "a moderator may read a moderation command's details", setup: ["ana> /entrar dev"],
                line: "/ajuda desbanir", reply: .text("/desbanir <nome> — retira o banimento\nTambém: /unban")),
    CommandCase(name: "a user may not read a moderation command's details", line: "/ajuda banir",
                reply: .fails(.notModerator("geral"))),
    CommandCase(name: "unknown command, nothing close", line: "/ajuda xyz",
                reply: .fails(.unknownCommand("xyz", suggestion: nil))),
    CommandCase(name: "unknown command, with a suggestion", line: "/ajuda entra",
                reply: .fails(.unknownCommand("entra", suggestion: "entrar"))),
    CommandCase(name: "/help is /ajuda", line: "/help",
                reply: .containsExcluding(["Comandos disponíveis:"] + helpForEveryone, helpForModerators)),
]

/// Which commands /ajuda lists, for each kind of caller.
struct HelpListing: Sendable, CustomTestStringConvertible {
    var who: String
    var setup: [String]
    var commands: [String]
    var testDescription: String { who }
}

let everyoneCommands = ["/ajuda", "/sair", "/usuarios", "/nome", "/privado", "/historico", "/hora", "/ping",
                        "/stats", "/salas", "/entrar", "/sairsala", "/sala", "/em", "/aviso", "/topico"]
let moderatorCommands = ["/modo", "/expulsar", "/banir", "/desbanir", "/moderador", "/desmoderador"]
let accountCommands = ["/registrar", "/identificar", "/senha", "/conta", "/chaves"]

let helpListings: [HelpListing] = [
    HelpListing(who: "user", setup: [], commands: everyoneCommands + accountCommands + ["/admin"]),
    HelpListing(who: "moderator of the room", setup: ["ana> /entrar dev"],
                commands: everyoneCommands + moderatorCommands + accountCommands + ["/admin"]),
    HelpListing(who: "admin", setup: ["ana> /admin segredo"],
                commands: everyoneCommands + moderatorCommands + accountCommands + ["/admin"]),
]

let usuariosCases: [CommandCase] = [
    CommandCase(name: "everyone, with their rooms (the current one first) and rights", setup: ["ana> /entrar dev", "caio> /admin segredo"],
                caller: "bia", line: "/usuarios",
                reply: .text("Usuários conectados (3):\n  ana — #dev, #geral (moderador de #dev)\n  bia — #geral\n  caio — #geral (admin)")),
    CommandCase(name: "a room's members, moderators marked", setup: ["ana> /entrar dev", "bia> /entrar dev"],
                caller: "caio", line: "/usuarios dev", reply: .text("Em #dev (2):\n  ana (moderador)\n  bia")),
    CommandCase(name: "a room that does not exist", line: "/usuarios nada", reply: .fails(.noSuchRoom("nada"))),
    CommandCase(name: "alone", users: ["ana"], line: "/who",
                reply: .text("Usuários conectados (1):\n  ana — #geral")),
    CommandCase(name: "sorted case-insensitively", users: ["bia", "Ana", "caio"], caller: "Ana", line: "/users",
                reply: .text("Usuários conectados (3):\n  Ana — #geral\n  bia — #geral\n  caio — #geral")),
    CommandCase(name: "a moderator speaking in #geral still shows the room they moderate",
                setup: ["ana> /entrar dev", "ana> /entrar geral"], line: "/usuarios",
                reply: .text("Usuários conectados (3):\n  ana — #geral, #dev (moderador de #dev)\n  bia — #geral\n  caio — #geral")),
    CommandCase(name: "who left is not listed", setup: ["caio> /sair"], line: "/usuarios",
                reply: .text("Usuários conectados (2):\n  ana — #geral\n  bia — #geral")),
    CommandCase(name: "a rename shows at once", setup: ["bia> /nome beatriz"], line: "/usuarios",
                reply: .text("Usuários conectados (3):\n  ana — #geral\n  beatriz — #geral\n  caio — #geral")),
]

let horaCases: [CommandCase] = [
    CommandCase(name: "the server's date and time", line: "/hora",
                reply: .text("Agora é \(TimeFormat.long(ManualClock.start)).")),
    CommandCase(name: "/time is /hora", line: "/time",
                reply: .text("Agora é \(TimeFormat.long(ManualClock.start)).")),
    CommandCase(name: "follows the clock", setup: ["~3661"], line: "/hora",
                reply: .text("Agora é \(TimeFormat.long(ManualClock.start.addingTimeInterval(3661))).")),
    CommandCase(name: "arguments are ignored", line: "/hora amanhã",
                reply: .text("Agora é \(TimeFormat.long(ManualClock.start)).")),
]

let pingCases: [CommandCase] = [
    CommandCase(name: "answers pong", line: "/ping", reply: .text("pong")),
    CommandCase(name: "command names are case-insensitive", line: "/PING", reply: .text("pong")),
    CommandCase(name: "arguments are ignored", line: "/ping   olá", reply: .text("pong")),
    CommandCase(name: "works inside a room", setup: ["ana> /entrar dev", "bia> /entrar dev"], line: "/ping",
                reply: .text("pong")),
]

let statsStart = TimeFormat.dateTime(ManualClock.start)

let statsCases: [CommandCase] = [
    CommandCase(name: "nothing said yet", line: "/stats",
                reply: .containsExcluding([
                    "Estatísticas do chat:",
                    "  mensagens enviadas: 0\n",
                    "  no ar há: 0s (desde \(statsStart))",
                    "  conectados agora: 3 · salas: 1",
                    "  mais ativos: ninguém falou ainda",
                ], ["mensagens enviadas: 0 (desde"])),
    CommandCase(name: "counts public and private messages, most active first",
                setup: ["bia> a", "bia> b", "bia> c", "caio> d", "caio> /privado ana e", "ana> f"],
                line: "/stats",
                reply: .contains([
                    "  mensagens enviadas: 6 (desde \(statsStart))",
                    "  mais ativos: bia (3), caio (2), ana (1)",
                ])),
    CommandCase(name: "ties are ordered by name", setup: ["caio> x", "ana> y"], caller: "bia", line: "/stats",
                reply: .contains(["mensagens enviadas: 2", "mais ativos: ana (1), caio (1)"])),
    CommandCase(name: "refused lines are not counted", setup: ["ana> um", "ana!> \u{1B}[2J", "ana!> /privado zeca oi"],
                line: "/stats", reply: .contains(["mensagens enviadas: 1 (desde", "mais ativos: ana (1)"])),
    CommandCase(name: "counts users and rooms", setup: ["ana> /entrar dev", "bia> /entrar arte", "caio> /sair"],
                line: "/estatisticas", reply: .contains(["  conectados agora: 2 · salas: 3"])),
    CommandCase(name: "uptime follows the clock", setup: ["~3723"], line: "/stats",
                reply: .contains(["  no ar há: 1h 02min 03s (desde \(statsStart))"])),
    CommandCase(name: "the first message's time is kept", setup: ["~60", "bia> primeira", "~60", "bia> segunda"],
                line: "/stats",
                reply: .contains([
                    "mensagens enviadas: 2 (desde \(TimeFormat.dateTime(ManualClock.start.addingTimeInterval(60))))",
                    "no ar há: 2min 00s",
                ])),
]

/// A room kept by an earlier run: ana's account owns it, bia's moderates it.
let projetosState = PersistedState(accounts: [TestAccounts.record("ana"), TestAccounts.record("bia")], rooms: [
    RoomRecord(name: "Projetos", createdBy: "ana", createdAt: ManualClock.start, owner: TestAccounts.id("ana"),
               moderators: [TestAccounts.id("bia")]),
])

let salasCases: [CommandCase] = [
    CommandCase(name: "only the default room", line: "/salas", reply: .text("Salas (1):\n  #geral — 3 pessoas [sala atual]")),
    CommandCase(name: "rooms, counts and moderators; #geral first, then by name; the caller's marked",
                setup: ["ana> /entrar dev", "bia> /entrar dev", "caio> /entrar arte"], line: "/salas",
                reply: .text("Salas (3):\n  #geral — 3 pessoas [você está]\n  #arte — 1 pessoa · moderação: caio\n"
                             + "  #dev — 2 pessoas · moderação: ana [sala atual]")),
    CommandCase(name: "/rooms is /salas", setup: ["bia> /entrar dev"], line: "/rooms",
                reply: .text("Salas (2):\n  #geral — 3 pessoas [sala atual]\n  #dev — 1 pessoa · moderação: bia")),
    CommandCase(name: "/list is /salas", line: "/list", reply: .text("Salas (1):\n  #geral — 3 pessoas [sala atual]")),
    CommandCase(name: "an empty room stays; a guest creator's rights left with them",
                setup: ["ana> /entrar dev", "ana> /sair"], caller: "bia", line: "/salas",
                reply: .text("Salas (2):\n  #geral — 2 pessoas [sala atual]\n  #dev — 0 pessoas")),
    CommandCase(name: "rooms kept by the store, with every moderator", state: projetosState, line: "/salas",
                reply: .text("Salas (2):\n  #geral — 3 pessoas [sala atual]\n  #Projetos — 0 pessoas · moderação: ana, bia")),
    CommandCase(name: "with its topic", setup: ["ana> /entrar dev", "ana> /topico café e código"], caller: "bia",
                line: "/salas",
                reply: .text("Salas (2):\n  #geral — 3 pessoas [sala atual]\n  #dev — 1 pessoa · moderação: ana · tópico: café e código")),
    CommandCase(name: "a secret room is left out for those not in it", setup: ["ana> /entrar dev", "ana> /modo +s"],
                caller: "bia", line: "/salas", reply: .text("Salas (1):\n  #geral — 3 pessoas [sala atual]")),
    CommandCase(name: "its members see it", setup: ["ana> /entrar dev", "ana> /modo +s", "ana> /sala geral"],
                line: "/salas", reply: .text("Salas (2):\n  #geral — 3 pessoas [sala atual]\n  #dev — 1 pessoa · secreta · moderação: ana [você está]")),
    CommandCase(name: "admins see it", setup: ["ana> /entrar dev", "ana> /modo +s", "caio> /admin segredo"],
                caller: "caio", line: "/salas",
                reply: .text("Salas (2):\n  #geral — 3 pessoas [sala atual]\n  #dev — 1 pessoa · secreta · moderação: ana")),
]

@Suite("Information commands")
struct InfoCommandTests {
    @Test("/ajuda", arguments: ajudaCases)
    func ajuda(_ row: CommandCase) throws { try row.verify() }

    @Test("/ajuda lists exactly the commands the caller may run, in table order", arguments: helpListings)
    func ajudaListing(_ listing: HelpListing) throws {
        let h = try ChatHarness()
        try h.connect("ana")
        try h.perform(listing.setup)
        let reply = try #require(h.run("ana", "/ajuda"))
        let listed = reply.text.split(separator: "\n")
            .filter { line in line.hasPrefix("  /") }
            .map { line in String(line.dropFirst(2).prefix { character in character != " " }) }
        #expect(listed == listing.commands)
    }

    @Test("/usuarios", arguments: usuariosCases)
    func usuarios(_ row: CommandCase) throws { try row.verify() }

    @Test("/hora", arguments: horaCases)
    func hora(_ row: CommandCase) throws { try row.verify() }

    @Test("/ping", arguments: pingCases)
    func ping(_ row: CommandCase) throws { try row.verify() }

    @Test("/stats", arguments: statsCases)
    func stats(_ row: CommandCase) throws { try row.verify() }

    @Test("/salas", arguments: salasCases)
    func salas(_ row: CommandCase) throws { try row.verify() }
}
