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
let moderatorLines = ["/expulsar bia", "/kick bia", "/banir bia", "/ban bia", "/desbanir bia", "/unban bia"]

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

@Suite("Permission matrix")
struct PermissionMatrixTests {
    @Test(arguments: permissionMatrix)
    func refusedInTheCoreWithNoEffect(_ row: CommandCase) throws {
        try row.verify()
    }
}
