import CLua
import ChatCore
import Foundation

/// `papo.history(sala, n)`: a room's recent public messages, for a bot
/// that summarises or quotes. Read from the storage off the chat's lock,
/// and waited for at most `maxWait`, inside the call's own time limit.
extension LuaScript {
    static let maxHistory = 50
    static let maxWait = 0.1

    static let history: papo_swift_function = { L, context in
        guard let L, let script = script(context) else { return 0 }
        guard script.inCall else { return script.fail(L, "papo.history: só pode ser usado durante um comando, gancho ou timer") }
        guard let name = script.state.string(at: 1) else { return script.fail(L, "papo.history: esperava (sala [, n])") }
        let limit = lua_type(L, 2) == LUA_TNUMBER ? Int(lua_tointegerx(L, 2, nil)) : 20
        guard (1...LuaScript.maxHistory).contains(limit) else {
            return script.fail(L, "papo.history: n vai de 1 a \(LuaScript.maxHistory)")
        }
        final class Box: @unchecked Sendable { var rows: [StoredMessage]? }
        let box = Box(), done = DispatchSemaphore(value: 0)
        var room: String?
        script.chat { chat in
            guard name.utf8.count <= 4 * NameRules.maxRoomLength + 1 else { return }
            room = chat.existingRoomName(name)
            guard let room else { return }
            // A viewer with no session and no account: public rows only.
            chat.storage.history(room: room, viewer: HistoryViewer(session: "papo.history"), limit: limit) { rows in
                box.rows = rows
                done.signal()
            }
        }
        guard room != nil else {
            lua_pushnil(L)
            script.push(L, ChatError.noSuchRoom(name).code)
            return 2
        }
        guard done.wait(timeout: .now() + LuaScript.maxWait) == .success, let rows = box.rows else {
            lua_pushnil(L)
            script.push(L, "history_busy")
            return 2
        }
        let messages = rows.filter { $0.kind == .public }.suffix(limit)
        guard script.state.canAllocate(messages.reduce(64) { $0 + 200 + $1.text.utf8.count + $1.sender.utf8.count }) else {
            return script.fail(L, "papo.history: as mensagens não cabem na memória do script")
        }
        lua_createtable(L, Int32(messages.count), 0)
        for (index, message) in messages.enumerated() {
            lua_createtable(L, 0, 3)
            script.state.setField("user", string: message.sender)
            script.state.setField("text", string: message.text)
            lua_pushinteger(L, lua_Integer(message.time.timeIntervalSince1970))
            lua_setfield(L, -2, "time")
            lua_rawseti(L, -2, lua_Integer(index + 1))
        }
        return 1
    }
}
