import BotEngine
import ChatCore
import Foundation
import Testing

// Issue #5: every moderator command, under every name, tried by someone who
// may not use it, in each situation that might confuse a check made in the
// wrong place. Each is refused by the core and changes nothing for anyone:
// no event, no disconnect, nobody moved. (Admin-only commands, /reload and
// /bots, are refused to non-admins in LuaBotsTests' ReloadTests.)

/// Lines that need moderator rights in the caller's room, with every alias.
let moderatorLines = ["/expulsar bia", "/kick bia", "/banir bia", "/ban bia", "/desbanir bia", "/unban bia",
                      "/moderador bia", "/op bia", "/desmoderador bia", "/deop bia"]

/// Where ana stands when she tries them; she is in #geral in each.
let unprivilegedSituations: [(name: String, setup: [String])] = [
    ("an ordinary user", []),
    ("the moderator of another room", ["ana> /entrar dev", "ana> /entrar geral"]),
    ("a user just banned from a room", ["caio> /entrar dev", "ana> /entrar dev", "caio> /banir ana"]),
    ("a user banned and renamed", ["caio> /entrar dev", "ana> /entrar dev", "caio> /banir ana", "ana> /nome ana2"]),
]

let permissionMatrix: [CommandCase] = unprivilegedSituations.flatMap { situation in
    moderatorLines.map { line in
        CommandCase(name: situation.name, setup: situation.setup, line: line,
                    reply: .fails(.notModerator("geral")), rooms: ["bia": "geral"])
    }
}

/// Issue #11: impostors inside #cafe, where bia (the target) also is.
/// Each must get `not_moderator` and change nothing.
let impostorSituations: [(name: String, state: PersistedState, setup: [String])] = [
    ("a guest holding a guest moderator's name after they left", PersistedState(),
     ["ana> /entrar cafe", "ana> /sair", "+ana", "ana> /entrar cafe", "bia> /entrar cafe"]),
    ("a guest holding the name of a moderator from before accounts",
     PersistedState(rooms: [RoomRecord(name: "cafe", createdBy: "ana", createdAt: ManualClock.start,
                                       legacyModerators: ["ana"])]),
     ["ana> /entrar cafe", "bia> /entrar cafe"]),
    ("a user of another account than the owner's",
     PersistedState(accounts: [TestAccounts.record("ana"), TestAccounts.record("dora")],
                    rooms: [RoomRecord(name: "cafe", createdBy: "dora", createdAt: ManualClock.start,
                                       owner: TestAccounts.id("dora"))]),
     ["ana> /entrar cafe", "bia> /entrar cafe"]),
    ("a guest refused the owner's registered name, then in the room under their own",
     PersistedState(accounts: [TestAccounts.record("dona")],
                    rooms: [RoomRecord(name: "cafe", createdBy: "dona", createdAt: ManualClock.start,
                                       owner: TestAccounts.id("dona"))]),
     ["ana!> /nome dona", "ana!> /nome DONA", "ana!> /nome d\u{3BF}na", "ana!> /identificar dona errada1",
      "ana> /entrar cafe", "bia> /entrar cafe"]),
    ("a guest whose account was dropped by an admin",
     PersistedState(accounts: [TestAccounts.record("ana"), TestAccounts.record("caio", admin: true)]),
     ["ana> /entrar cafe", "bia> /entrar cafe", "caio> /conta apagar ana"]),
]

let impostorMatrix: [CommandCase] = impostorSituations.flatMap { situation in
    moderatorLines.map { line in
        CommandCase(name: situation.name, state: situation.state, setup: situation.setup, line: line,
                    reply: .fails(.notModerator("cafe")), rooms: ["bia": "cafe"], roles: ["bia": .user])
    }
}

@Suite("Permission matrix")
struct PermissionMatrixTests {
    @Test(arguments: permissionMatrix)
    func refusedInTheCoreWithNoEffect(_ row: CommandCase) throws {
        try row.verify()
    }

    @Test(arguments: impostorMatrix)
    func impostorsAreRefusedWithNoEffect(_ row: CommandCase) throws {
        try row.verify()
    }
}
