import BotEngine
import ChatCore
import Foundation
import Testing

// Every alias does exactly what its command does, and every built-in is covered.

struct AliasCase: Sendable, CustomTestStringConvertible {
    var alias: String
    var canonical: String
    var setup: [String] = []
    var state = PersistedState()
    var testDescription: String { "\(alias) ≡ \(canonical)" }
}

/// ana and bia are accounts (and so connect identified); dora is an account nobody is online as.
let anaAndBiaRegistered = PersistedState(accounts: [TestAccounts.record("ana"), TestAccounts.record("bia"),
                                                    TestAccounts.record("dora")])

let aliasCases: [AliasCase] = [
    AliasCase(alias: "/help", canonical: "/ajuda"),
    AliasCase(alias: "/quit", canonical: "/sair"),
    AliasCase(alias: "/users", canonical: "/usuarios"),
    AliasCase(alias: "/who", canonical: "/usuarios"),
    AliasCase(alias: "/nick bea", canonical: "/nome bea"),
    AliasCase(alias: "/msg bia oi", canonical: "/privado bia oi"),
    AliasCase(alias: "/pm bia oi", canonical: "/privado bia oi"),
    AliasCase(alias: "/history", canonical: "/historico", setup: ["bia> olá", "ana> /privado caio psiu"]),
    AliasCase(alias: "/time", canonical: "/hora"),
    AliasCase(alias: "/estatisticas", canonical: "/stats", setup: ["bia> olá"]),
    AliasCase(alias: "/rooms", canonical: "/salas", setup: ["bia> /entrar dev"]),
    AliasCase(alias: "/list", canonical: "/salas"),
    AliasCase(alias: "/join dev", canonical: "/entrar dev"),
    AliasCase(alias: "/part", canonical: "/sairsala", setup: ["ana> /entrar dev"]),
    AliasCase(alias: "/leave dev", canonical: "/sairsala dev", setup: ["ana> /entrar dev"]),
    AliasCase(alias: "/switch geral", canonical: "/sala geral", setup: ["ana> /entrar dev"]),
    AliasCase(alias: "/say dev oi", canonical: "/em dev oi", setup: ["ana> /entrar dev", "ana> /sala geral"]),
    AliasCase(alias: "/notice volto já", canonical: "/aviso volto já"),
    AliasCase(alias: "/mode +s", canonical: "/modo +s", setup: ["ana> /entrar dev"]),
    AliasCase(alias: "/topic", canonical: "/topico", setup: ["ana> /entrar dev", "ana> /topico café"]),
    AliasCase(alias: "/kick bia", canonical: "/expulsar bia", setup: anaModeratesDevWithBia),
    AliasCase(alias: "/ban bia", canonical: "/banir bia", setup: anaModeratesDevWithBia),
    AliasCase(alias: "/unban bia", canonical: "/desbanir bia", setup: biaBannedFromDev),
    AliasCase(alias: "/oper segredo", canonical: "/admin segredo"),
    AliasCase(alias: "/register senha-longa", canonical: "/registrar senha-longa"),
    AliasCase(alias: "/identify dora senha-de-dora", canonical: "/identificar dora senha-de-dora", state: anaAndBiaRegistered),
    AliasCase(alias: "/login dora senha-de-dora", canonical: "/identificar dora senha-de-dora", state: anaAndBiaRegistered),
    AliasCase(alias: "/password senha-de-ana outra-senha", canonical: "/senha senha-de-ana outra-senha",
              state: anaAndBiaRegistered),
    AliasCase(alias: "/account", canonical: "/conta", state: anaAndBiaRegistered),
    AliasCase(alias: "/keys", canonical: "/chaves", state: anaAndBiaRegistered),
    AliasCase(alias: "/op bia", canonical: "/moderador bia", setup: anaModeratesDevWithBia, state: anaAndBiaRegistered),
    AliasCase(alias: "/deop bia", canonical: "/desmoderador bia", setup: anaModeratesDevWithBia + ["ana> /moderador bia"],
              state: anaAndBiaRegistered),
]

/// `"/msg bia oi"` → `"msg"`.
func commandName(of line: String) -> String {
    String(line.dropFirst().prefix { character in character != " " })
}

/// Everything a line caused, comparable between two runs.
struct LineEffects: Equatable {
    var text: String
    var error: ChatError?
    var items: [String]
    var events: [String: [ChatEvent.Kind]]
    var disconnected: [String]
    var rooms: [String: String]
    var names: [String]
}

/// Runs `line` as ana (with bia and caio around) after `setup`, in a fresh chat.
func effects(of line: String, after setup: [String], state: PersistedState = PersistedState()) throws -> LineEffects {
    let h = try ChatHarness(state: state)
    for name in ["ana", "bia", "caio"] {
        try h.connect(name)
    }
    try h.perform(setup)
    h.outbox.clear()
    let reply = try #require(h.run("ana", line))
    var events: [String: [ChatEvent.Kind]] = [:]
    var rooms: [String: String] = [:]
    for handle in h.handles {
        events[handle] = h.kinds(handle)
        rooms[handle] = h.room(of: handle)
    }
    return LineEffects(text: reply.text, error: reply.error, items: reply.items.map { $0.text ?? "" },
                    events: events, disconnected: h.handles.filter { h.wasDisconnected($0) },
                    rooms: rooms, names: h.connectedNames())
}

@Suite("Aliases and coverage")
struct AliasTests {
    @Test("an alias behaves exactly like its command", arguments: aliasCases)
    func alias(_ row: AliasCase) throws {
        let viaAlias = try effects(of: row.alias, after: row.setup, state: row.state)
        let viaName = try effects(of: row.canonical, after: row.setup, state: row.state)
        #expect(viaAlias.error == nil)
        #expect(viaAlias == viaName)
        #expect(BuiltinCommands.table().lookup(commandName(of: row.alias))?.name == commandName(of: row.canonical))
    }

    @Test("aliases are case-insensitive too")
    func aliasCase() throws {
        let h = try ChatHarness()
        try h.connect("ana")
        #expect(h.run("ana", "/HELP")?.text.hasPrefix("Comandos disponíveis:") == true)
        #expect(h.run("ana", "/Time")?.error == nil)
    }

    @Test("every built-in command and alias is covered by these tables")
    func coverage() {
        #expect(BuiltinCommands.all.map(\.name) == [
            "ajuda", "sair", "usuarios", "nome", "privado", "historico", "hora", "ping", "stats", "salas", "entrar",
            "sairsala", "sala", "em", "aviso", "topico", "modo", "expulsar", "banir", "desbanir", "moderador", "desmoderador", "registrar", "identificar", "senha", "conta",
            "chaves", "admin",
        ])
        let aliases = Set(BuiltinCommands.all.flatMap(\.aliases))
        let tested = Set(aliasCases.map { commandName(of: $0.alias) })
        #expect(aliases == tested)
        let moderatorOnly = BuiltinCommands.all.filter { $0.permission == .moderator }.map(\.name)
        #expect(moderatorOnly == ["modo", "expulsar", "banir", "desbanir", "moderador", "desmoderador"])
        #expect(BuiltinCommands.all.allSatisfy { $0.permission != .admin && $0.origin == "builtin" })
        #expect(BuiltinCommands.table().all.count == BuiltinCommands.all.count)
    }
}
