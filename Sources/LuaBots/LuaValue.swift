import CLua
import Foundation

/// A Lua value as plain data, copied out of a script's state: what
/// `papo.store` keeps, what `papo.json` encodes, and how `papo.test{...}`
/// declarations are read. Functions, userdata, threads and cycles are
/// refused; reading is bounded in depth and in bytes.
enum LuaValue: Equatable, Sendable {
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case table([LuaKey: LuaValue])

    /// A table key: a string or an integer (the two kinds JSON and the store keep apart).
    enum LuaKey: Hashable, Sendable, Comparable {
        case integer(Int64)
        case string(String)

        static func < (a: LuaKey, b: LuaKey) -> Bool {
            switch (a, b) {
            case (.integer(let x), .integer(let y)): return x < y
            case (.string(let x), .string(let y)): return x < y
            case (.integer, .string): return true
            case (.string, .integer): return false
            }
        }

        var text: String {
            switch self {
            case .integer(let i): return String(i)
            case .string(let s): return s
            }
        }
    }

    /// Why a value cannot be read, in the words a script author sees.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Limits on one read: how deep tables nest and how many bytes of
    /// strings and entries it may copy, so a hostile table costs a bounded
    /// amount of Swift memory and time.
    struct Budget {
        static let maxDepth = 16
        var bytesLeft: Int

        init(bytes: Int) { bytesLeft = bytes }

        mutating func spend(_ bytes: Int) throws {
            bytesLeft -= bytes
            if bytesLeft < 0 { throw Refusal("grande demais") }
        }
    }

    /// The value at `index`, or a refusal. Never runs a metamethod (raw
    /// reads only) and never raises a Lua error. `nil` reads as nil.
    static func read(_ L: OpaquePointer, at index: Int32, budget: inout Budget) throws -> LuaValue? {
        var visiting: Set<UnsafeRawPointer> = []
        return try read(L, at: lua_absindex(L, index), budget: &budget, depth: 0, visiting: &visiting)
    }

    private static func read(_ L: OpaquePointer, at index: Int32, budget: inout Budget, depth: Int,
                             visiting: inout Set<UnsafeRawPointer>) throws -> LuaValue? {
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return nil
        case LUA_TBOOLEAN:
            try budget.spend(1)
            return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            try budget.spend(8)
            if lua_isinteger(L, index) != 0 { return .integer(lua_tointegerx(L, index, nil)) }
            return .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING:
            var length = 0
            guard let pointer = papo_tolstring(L, index, &length) else { throw Refusal("texto ilegível") }
            try budget.spend(length)
            guard let text = String(validating: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self) else {
                throw Refusal("texto que não é UTF-8 válido")
            }
            return .string(text)
        case LUA_TTABLE:
            guard depth < Budget.maxDepth else { throw Refusal("tabelas aninhadas demais (máximo \(Budget.maxDepth) níveis)") }
            guard let identity = lua_topointer(L, index) else { throw Refusal("tabela ilegível") }
            guard visiting.insert(identity).inserted else { throw Refusal("uma tabela que contém a si mesma") }
            defer { visiting.remove(identity) }
            guard lua_checkstack(L, 4) != 0 else { throw Refusal("tabelas aninhadas demais") }
            var entries: [LuaKey: LuaValue] = [:]
            lua_pushnil(L)
            while lua_next(L, index) != 0 {
                // Key at -2, value at -1; the key is read without converting it in place.
                let key: LuaKey
                switch lua_type(L, -2) {
                case LUA_TSTRING:
                    guard case .string(let text)? = try read(L, at: lua_absindex(L, -2), budget: &budget, depth: depth + 1,
                                                              visiting: &visiting) else { throw Refusal("chave ilegível") }
                    key = .string(text)
                case LUA_TNUMBER where lua_isinteger(L, -2) != 0:
                    key = .integer(lua_tointegerx(L, -2, nil))
                default:
                    let type = String(cString: lua_typename(L, lua_type(L, -2)))
                    papo_pop(L, 2)
                    throw Refusal("as chaves devem ser textos ou inteiros, não \(type == "number" ? "números com fração" : type)")
                }
                do {
                    if let value = try read(L, at: lua_absindex(L, -1), budget: &budget, depth: depth + 1, visiting: &visiting) {
                        try budget.spend(8)
                        entries[key] = value
                    }
                } catch {
                    papo_pop(L, 2)
                    throw error
                }
                papo_pop(L, 1)
            }
            return .table(entries)
        default:
            throw Refusal("valores do tipo \(String(cString: lua_typename(L, lua_type(L, index)))) não podem ser guardados")
        }
    }

    /// About how many bytes of Lua memory `push` takes: compared with what
    /// the state may still allocate before pushing (`LuaState.canAllocate`).
    var luaCost: Int {
        switch self {
        case .boolean, .integer, .number: return 16
        case .string(let s): return 40 + s.utf8.count
        case .table(let entries):
            var cost = 64
            for (key, value) in entries {
                cost += 48 + value.luaCost
                if case .string(let k) = key { cost += 40 + k.utf8.count }
            }
            return cost
        }
    }

    /// Pushes the value as fresh Lua data if the state has room for it
    /// (else pushes nothing and returns false). Inside the state's headroom.
    func push(into state: LuaState) -> Bool {
        guard state.canAllocate(luaCost) else { return false }
        push(state.L)
        return true
    }

    /// Pushes the value as fresh Lua data. Call inside the state's headroom,
    /// for a value known to fit (`push(into:)` checks).
    func push(_ L: OpaquePointer) {
        switch self {
        case .boolean(let b): lua_pushboolean(L, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(L, lua_Integer(i))
        case .number(let d): lua_pushnumber(L, d)
        case .string(let s):
            var s = s
            s.withUTF8 { _ = lua_pushlstring(L, $0.baseAddress, $0.count) }
        case .table(let entries):
            _ = lua_checkstack(L, 4)
            lua_createtable(L, 0, Int32(min(entries.count, 1 << 16)))
            for (key, value) in entries {
                switch key {
                case .integer(let i):
                    value.push(L)
                    lua_rawseti(L, -2, lua_Integer(i))
                case .string(let s):
                    LuaValue.string(s).push(L)
                    value.push(L)
                    lua_rawset(L, -3)
                }
            }
        }
    }

    // MARK: Reading declarations

    /// The entries of a table, or nil for another value.
    var entries: [LuaKey: LuaValue]? {
        if case .table(let entries) = self { return entries }
        return nil
    }

    var text: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// A number as a Double (integers included).
    var double: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }

    /// The table's 1...n part as a list, when the table is exactly a list.
    var list: [LuaValue]? {
        guard let entries else { return nil }
        var items: [LuaValue] = []
        for i in 1...max(1, entries.count) {
            guard let item = entries[.integer(Int64(i))] else { break }
            items.append(item)
        }
        return items.count == entries.count ? items : nil
    }
}
