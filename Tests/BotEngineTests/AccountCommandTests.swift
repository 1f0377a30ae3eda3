import BotEngine
import ChatCore
import ChatStore
import Foundation
import Testing

// Issue #11: accounts. /registrar, /identificar, /senha, /conta, /moderador
// and /desmoderador, table-driven; then logging in with a password, and
// what an account carries across connections. Users connect with their
// account's password (`TestAccounts`) when their name is registered.

/// dora has an account and is not online; ana, bia and caio are guests.
let doraRegistered = PersistedState(accounts: [TestAccounts.record("dora")])
/// ana and bia have accounts (so they connect identified); caio is an admin account.
let threeAccounts = PersistedState(accounts: [TestAccounts.record("ana"), TestAccounts.record("bia"),
                                              TestAccounts.record("caio", admin: true)])
/// As `threeAccounts`: ana's #dev, where bia is too.
let anaOwnsDevWithBia = ["ana> /entrar dev", "bia> /entrar dev"]
/// Five wrong passwords for dora, from three connections: the name is locked for 30 s.
let doraLockedOut = ["ana!> /identificar dora errada1", "ana!> /identificar dora errada2",
                     "bia!> /identificar dora errada3", "bia!> /identificar dora errada4",
                     "caio!> /identificar dora errada5"]

let registrarCases: [CommandCase] = [
    CommandCase(name: "a guest registers the name they hold", line: "/registrar senha-longa",
                reply: .contains(["O nome ana agora é seu", "/identificar ana <senha>"])),
    CommandCase(name: "/register is /registrar", line: "/register senha-longa", reply: .contains(["O nome ana agora é seu"])),
    CommandCase(name: "a password may not hold spaces (so /senha and /identificar split it right)",
                line: "/registrar minha senha longa", reply: .fails(.passwordInvalid)),
    CommandCase(name: "ten new accounts an hour from one address, then no more", users: ["bia"],
                setup: (1...10).flatMap { ["+u\($0)@10.0.0.7", "u\($0)> /registrar senha-longa"] } + ["+zed@10.0.0.7"],
                caller: "zed", line: "/registrar senha-longa", reply: .fails(.tooManyRegistrations)),
    CommandCase(name: "too short", line: "/registrar curta", reply: .fails(.passwordTooShort(min: 8))),
    CommandCase(name: "eight characters are enough, counted as characters", line: "/registrar çãçãçãçã",
                reply: .contains(["O nome ana agora é seu"])),
    CommandCase(name: "no password", line: "/registrar", reply: .fails(.missingArgument(usage: "/registrar <senha>"))),
    CommandCase(name: "a control character in the password", line: "/registrar senha\u{7}longa",
                reply: .fails(.passwordInvalid)),
    CommandCase(name: "longer than any password may be", line: "/registrar " + String(repeating: "x", count: 1025),
                reply: .fails(.passwordInvalid)),
    CommandCase(name: "twice", setup: ["ana> /registrar senha-longa"], line: "/registrar outra-senha",
                reply: .fails(.alreadyIdentified("ana"))),
    CommandCase(name: "an identified user has nothing to register", state: threeAccounts, line: "/registrar senha-longa",
                reply: .fails(.alreadyIdentified("ana"))),
]

let identificarCases: [CommandCase] = [
    CommandCase(name: "a guest becomes the account and takes its name", state: doraRegistered,
                line: "/identificar dora senha-de-dora", reply: .text("Você agora é dora, identificado com a sua conta."),
                events: ["ana": [.rename], "bia": [.rename], "caio": [.rename]],
                details: [EventCheck(to: "bia", kind: .rename, room: "geral", sender: "ana", target: "dora")],
                names: ["bia", "caio", "dora"]),
    CommandCase(name: "the account's name in any case", state: doraRegistered, line: "/identify DORA senha-de-dora",
                reply: .ok, events: ["ana": [.rename], "bia": [.rename], "caio": [.rename]], names: ["bia", "caio", "dora"]),
    CommandCase(name: "a wrong password changes nothing", state: doraRegistered, line: "/identificar dora errada",
                reply: .fails(.wrongPassword), names: ["ana", "bia", "caio"]),
    CommandCase(name: "a name with no account gets the same answer", state: doraRegistered,
                line: "/identificar ninguem senha-de-ninguem", reply: .fails(.wrongPassword)),
    CommandCase(name: "the third wrong password on a connection disconnects", state: doraRegistered,
                setup: ["ana!> /identificar dora errada1", "ana!> /identificar zed errada2"],
                line: "/identificar dora errada3", reply: .fails(.tooManyAttempts),
                events: ["bia": [.disconnect], "caio": [.disconnect]], disconnects: ["ana"], offline: ["ana"]),
    CommandCase(name: "a right password clears the connection's count", state: doraRegistered,
                setup: ["ana!> /identificar dora errada1", "ana!> /identificar dora errada2",
                        "ana> /identificar dora senha-de-dora"],
                line: "/identificar dora errada3", reply: .fails(.alreadyIdentified("dora"))),
    CommandCase(name: "five wrong for one name lock it, even for the right password", state: doraRegistered,
                setup: doraLockedOut, line: "/identificar dora senha-de-dora", reply: .fails(.loginLockedOut(seconds: 30))),
    CommandCase(name: "the lock ends", state: doraRegistered, setup: doraLockedOut + ["~31"],
                line: "/identificar dora senha-de-dora", reply: .ok, events: ["ana": [.rename], "bia": [.rename], "caio": [.rename]], names: ["bia", "caio", "dora"]),
    CommandCase(name: "after the lock one more wrong locks it again, twice as long", state: doraRegistered,
                setup: doraLockedOut + ["~31", "caio!> /identificar dora errada6"],
                line: "/identificar dora senha-de-dora", reply: .fails(.loginLockedOut(seconds: 60))),
    CommandCase(name: "a locked name does not lock another name", users: ["zed", "yan", "xico"],
                state: PersistedState(accounts: [TestAccounts.record("ana"), TestAccounts.record("dora")]), setup: ["zed!> /identificar dora e1", "zed!> /identificar dora e2", "yan!> /identificar dora e3",
                        "yan!> /identificar dora e4", "xico!> /identificar dora e5"], caller: "zed", line: "/identificar ana senha-de-ana", reply: .ok,
                events: ["zed": [.rename], "yan": [.rename], "xico": [.rename]], names: ["ana", "xico", "yan"]),
    CommandCase(name: "the newest connection wins: the old one is told and closed", state: doraRegistered,
                setup: ["+dora"], line: "/identificar dora senha-de-dora", reply: .ok,
                events: ["ana": [.disconnect, .rename], "bia": [.disconnect, .rename], "caio": [.disconnect, .rename]],
                details: [EventCheck(to: "bia", kind: .disconnect, sender: "dora", text: "entrou por outra conexão")],
                disconnects: ["dora"], names: ["bia", "caio", "dora"]),
    CommandCase(name: "the rights are the new account's: an admin account that identifies as another is no admin",
                users: ["caio"], state: threeAccounts, caller: "caio", line: "/identificar ana senha-de-ana", reply: .ok,
                events: ["caio": [.rename]], roles: ["caio": .user]),
    CommandCase(name: "an admin account is an admin once identified", users: ["zed"], state: threeAccounts, caller: "zed",
                line: "/identificar caio senha-de-caio", reply: .ok, events: ["zed": [.rename, .admin]],
                roles: ["zed": .admin]),
    CommandCase(name: "a password line with a control character", state: doraRegistered,
                line: "/identificar dora senha\u{1B}[2J", reply: .fails(.passwordInvalid)),
    CommandCase(name: "name and password are both needed", state: doraRegistered, line: "/identificar dora",
                reply: .fails(.missingArgument(usage: "/identificar <nome> <senha>"))),
]

let senhaCases: [CommandCase] = [
    CommandCase(name: "a guest has no password to change", line: "/senha velha-senha nova-senha",
                reply: .fails(.notIdentified)),
    CommandCase(name: "the owner changes it", state: threeAccounts, line: "/senha senha-de-ana nova-senha",
                reply: .text("Senha trocada.")),
    CommandCase(name: "a wrong current password", state: threeAccounts, line: "/senha errada-123 nova-senha",
                reply: .fails(.wrongPassword)),
    CommandCase(name: "the new one too short", state: threeAccounts, line: "/senha senha-de-ana curta",
                reply: .fails(.passwordTooShort(min: 8))),
    CommandCase(name: "both are needed", state: threeAccounts, line: "/senha senha-de-ana",
                reply: .fails(.missingArgument(usage: "/senha <atual> <nova>"))),
]

let contaCases: [CommandCase] = [
    CommandCase(name: "a guest", line: "/conta", reply: .contains(["Você é convidado: o nome ana não está registrado."])),
    CommandCase(name: "a guest who created a room moderates it while connected", setup: ["ana> /entrar dev"],
                line: "/conta", reply: .contains(["Você modera, enquanto estiver conectado: #dev"])),
    CommandCase(name: "an account, with its rooms", state: threeAccounts, setup: ["ana> /entrar dev", "bia> /entrar jogos",
                                                                                 "bia> /entrar dev", "ana> /moderador bia"],
                caller: "bia", line: "/account",
                reply: .contains(["Conta bia, registrada em \(TimeFormat.dateTime(ManualClock.start)).",
                                  "Salas suas: #jogos", "Você modera: #dev"])),
    CommandCase(name: "an admin drops an account: its holder is a guest now", state: threeAccounts, caller: "caio",
                line: "/conta apagar ana", reply: .contains(["A conta ana foi apagada."])),
    CommandCase(name: "only admins drop accounts", state: threeAccounts, line: "/conta apagar bia", reply: .fails(.notAdmin)),
    CommandCase(name: "no such account", state: threeAccounts, caller: "caio", line: "/conta apagar zed",
                reply: .fails(.noSuchAccount("zed"))),
    CommandCase(name: "an unknown word", line: "/conta mudar", reply: .fails(.invalidArgument("mudar", usage: "/conta [apagar <nome>]"))),
]

let moderadorCases: [CommandCase] = [
    CommandCase(name: "the owner names an account", state: threeAccounts, setup: anaOwnsDevWithBia,
                line: "/moderador bia", reply: .text("bia agora é moderador de #dev."),
                events: ["ana": [.moderatorAdded], "bia": [.moderatorAdded]],
                details: [EventCheck(to: "bia", kind: .moderatorAdded, room: "dev", sender: "ana", target: "bia")],
                roles: ["bia": .moderator]),
    CommandCase(name: "a guest cannot be named: moderators are accounts", users: ["ana", "bia", "zed"],
                state: threeAccounts, setup: ["ana> /entrar dev", "zed> /entrar dev"],
                line: "/op zed", reply: .fails(.noSuchAccount("zed")), roles: ["zed": .user]),
    CommandCase(name: "a named moderator does not name others", users: ["ana", "bia", "caio", "zed"],
                state: threeAccounts, setup: anaOwnsDevWithBia + ["ana> /moderador bia", "zed> /entrar dev"], caller: "bia", line: "/moderador caio", reply: .fails(.notOwner("dev"))),
    CommandCase(name: "a guest who created the room moderates it but names nobody",
                setup: ["ana> /entrar dev", "bia> /entrar dev"], line: "/moderador bia", reply: .fails(.notOwner("dev"))),
    CommandCase(name: "#geral has no moderators", state: threeAccounts, caller: "caio", line: "/moderador bia",
                reply: .fails(.defaultRoomUnmoderated("geral"))),
    CommandCase(name: "an admin hands a room with no owner on", users: ["zed", "ana", "caio"],
                state: threeAccounts, setup: ["zed> /entrar dev", "zed> /sair", "caio> /entrar dev", "ana> /entrar dev"], caller: "caio", line: "/moderador ana", reply: .text("ana agora é dono de #dev."),
                events: ["ana": [.moderatorAdded], "caio": [.moderatorAdded]], roles: ["ana": .moderator]),
    CommandCase(name: "already a moderator", state: threeAccounts, setup: anaOwnsDevWithBia + ["ana> /moderador bia"],
                line: "/moderador BIA", reply: .fails(.alreadyModerator("bia"))),
    CommandCase(name: "an admin confirms a moderator from before accounts", state: PersistedState(
                    accounts: [TestAccounts.record("ana"), TestAccounts.record("caio", admin: true)],
                    rooms: [RoomRecord(name: "cafe", createdBy: "ana", createdAt: ManualClock.start, legacyModerators: ["ana"])]),
                setup: ["caio> /entrar cafe", "ana> /entrar cafe"], caller: "caio", line: "/moderador ana",
                reply: .text("ana agora é dono de #cafe."), events: ["ana": [.moderatorAdded], "caio": [.moderatorAdded]],
                roles: ["ana": .moderator]),
]

let desmoderadorCases: [CommandCase] = [
    CommandCase(name: "an admin takes a guest creator's rights", users: ["zed", "caio"], state: threeAccounts,
                setup: ["zed> /entrar dev", "caio> /entrar dev"], caller: "caio", line: "/desmoderador zed",
                reply: .text("zed não modera mais #dev."), events: ["zed": [.moderatorRemoved], "caio": [.moderatorRemoved]],
                roles: ["zed": .user]),
    CommandCase(name: "the owner takes it back", state: threeAccounts, setup: anaOwnsDevWithBia + ["ana> /moderador bia"],
                line: "/desmoderador bia", reply: .text("bia não modera mais #dev."),
                events: ["ana": [.moderatorRemoved], "bia": [.moderatorRemoved]], roles: ["bia": .user]),
    CommandCase(name: "not a moderator", state: threeAccounts, setup: anaOwnsDevWithBia, line: "/deop bia",
                reply: .fails(.notAModerator("bia"))),
    CommandCase(name: "the owner cannot drop themselves", state: threeAccounts, setup: anaOwnsDevWithBia,
                line: "/desmoderador ana", reply: .fails(.cannotTargetSelf), roles: ["ana": .moderator]),
    CommandCase(name: "an admin may take the room from its owner", state: threeAccounts, setup: anaOwnsDevWithBia + ["caio> /entrar dev"], caller: "caio", line: "/desmoderador ana", reply: .ok,
                events: ["ana": [.moderatorRemoved], "bia": [.moderatorRemoved], "caio": [.moderatorRemoved]],
                roles: ["ana": .user]),
    CommandCase(name: "an admin forgets a moderator name from before accounts", state: PersistedState(
                    accounts: [TestAccounts.record("caio", admin: true)],
                    rooms: [RoomRecord(name: "cafe", createdBy: "ana", createdAt: ManualClock.start, legacyModerators: ["ana"])]),
                setup: ["caio> /entrar cafe"], caller: "caio", line: "/desmoderador ana",
                reply: .text("ana não modera mais #cafe."), events: ["caio": [.moderatorRemoved]]),
]

let accountNameCases: [CommandCase] = [
    CommandCase(name: "a password command typed after a space is not said in the room", state: doraRegistered,
                line: " /identificar dora senha-de-dora", reply: .fails(.looksLikePassword)),
    CommandCase(name: "nor with //", line: "//registrar senha-longa", reply: .fails(.looksLikePassword)),
    CommandCase(name: "a line that only mentions one is said", line: "use /registrar para guardar o nome", reply: .ok,
                events: ["ana": [.message], "bia": [.message], "caio": [.message]]),
    CommandCase(name: "a guest may not take a registered name", state: doraRegistered, line: "/nome dora",
                reply: .fails(.nameRegistered("dora", like: nil)), names: ["ana", "bia", "caio"]),
    CommandCase(name: "nor in another case", state: doraRegistered, line: "/nome DORA",
                reply: .fails(.nameRegistered("DORA", like: nil))),
    CommandCase(name: "nor a look-alike of it (Greek omicron)", state: doraRegistered, line: "/nome d\u{3BF}ra",
                reply: .fails(.nameRegistered("d\u{3BF}ra", like: "dora"))),
    CommandCase(name: "an identified user keeps the account's name", state: threeAccounts, line: "/nome aninha",
                reply: .fails(.nameIsAccount("ana"))),
    CommandCase(name: "the shared admin password is off once admin accounts exist", state: threeAccounts,
                caller: "bia", line: "/admin segredo", reply: .fails(.adminByAccount), roles: ["bia": .user]),
]

@Suite("Account commands")
struct AccountCommandTests {
    @Test("/registrar", arguments: registrarCases)
    func registrar(_ row: CommandCase) throws { try row.verify() }

    @Test("/identificar", arguments: identificarCases)
    func identificar(_ row: CommandCase) throws { try row.verify() }

    @Test("/senha", arguments: senhaCases)
    func senha(_ row: CommandCase) throws { try row.verify() }

    @Test("/conta", arguments: contaCases)
    func conta(_ row: CommandCase) throws { try row.verify() }

    @Test("/moderador", arguments: moderadorCases)
    func moderador(_ row: CommandCase) throws { try row.verify() }

    @Test("/desmoderador", arguments: desmoderadorCases)
    func desmoderador(_ row: CommandCase) throws { try row.verify() }

    @Test("registered names", arguments: accountNameCases)
    func names(_ row: CommandCase) throws { try row.verify() }
}
