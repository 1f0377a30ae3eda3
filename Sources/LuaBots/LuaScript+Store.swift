import CLua
import ChatCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `papo.store` (the bot's own keys), its namespaces `papo.store.room(r)`
/// and `papo.store.account(a)`, `papo.bot{name = ...}` (who owns the data)
/// and `papo.json`.
extension LuaScript {
    func installStore() {
        let L = state.L
        let me = Unmanaged.passUnretained(self).toOpaque()
        pushNamespace(scope: "")
        for (name, function) in [("room", Self.roomNamespace), ("account", Self.accountNamespace)] {
            papo_push_function(L, function, me)
            lua_setfield(L, -2, name)
        }
        lua_setfield(L, -2, "store")
        papo_push_function(L, Self.declareBot, me)
        lua_setfield(L, -2, "bot")
        papo_push_function(L, Self.config, me)
        lua_setfield(L, -2, "config")
        papo_push_function(L, Self.readDataFile, me)
        lua_setfield(L, -2, "read")
        papo_newtable(L)
        papo_push_function(L, Self.jsonEncode, me)
        lua_setfield(L, -2, "encode")
        papo_push_function(L, Self.jsonDecode, me)
        lua_setfield(L, -2, "decode")
        lua_setfield(L, -2, "json")
    }

    /// Pushes `{get, set, keys}` bound to `scope`.
    private func pushNamespace(scope: String) {
        let L = state.L
        papo_newtable(L)
        for (name, function) in [("get", Self.storeGet), ("set", Self.storeSet), ("keys", Self.storeKeys)] {
            push(L, scope)
            papo_push_bound_function(L, function, Unmanaged.passUnretained(self).toOpaque())
            lua_setfield(L, -2, name)
        }
    }

    /// The store this script uses, bound now if it is not yet.
    var store: BotStore {
        if let boundStore { return boundStore }
        let store = stores(botName ?? file)
        boundStore = store
        return store
    }

    /// The script a trampoline's context points to (the API's functions get it unretained).
    static func script(_ context: UnsafeMutableRawPointer?) -> LuaScript? {
        context.map { Unmanaged<LuaScript>.fromOpaque($0).takeUnretainedValue() }
    }

    /// The scope a namespace function was bound to.
    private static func scope(_ L: OpaquePointer) -> String {
        guard papo_isstring(L, papo_upvalueindex(3)) != 0 else { return "" }
        var length = 0
        guard let pointer = papo_tolstring(L, papo_upvalueindex(3), &length) else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    /// The key at `index`: text (or a number, as text), UTF-8.
    private func storeKey(_ L: OpaquePointer, at index: Int32, _ api: String) -> String? {
        let type = lua_type(L, index)
        guard type == LUA_TSTRING || type == LUA_TNUMBER else {
            push(L, "\(api): a chave deve ser texto ou número, não \(state.typeName(at: index))")
            return nil
        }
        if type == LUA_TNUMBER {
            return lua_isinteger(L, index) != 0 ? String(lua_tointegerx(L, index, nil)) : String(lua_tonumberx(L, index, nil))
        }
        var length = 0
        guard let pointer = papo_tolstring(L, index, &length),
              let key = String(validating: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self) else {
            push(L, "\(api): a chave não é UTF-8 válido")
            return nil
        }
        guard !key.utf8.contains(0) else {
            push(L, "\(api): a chave não pode conter bytes NUL")
            return nil
        }
        return key
    }

    /// `get(key)`: the value, a fresh copy (changing it changes nothing
    /// stored until `set`), or nil.
    static let storeGet: papo_swift_function = { L, context in
        guard let L, let script = script(context) else { return 0 }
        guard let key = script.storeKey(L, at: 1, "papo.store.get") else { return -1 }
        guard let value = script.store.get(BotValueKey(scope: scope(L), key: key)) else {
            lua_pushnil(L)
            return 1
        }
        guard value.push(into: script.state) else { return script.fail(L, "papo.store.get: o valor não cabe na memória do script") }
        return 1
    }

    /// `set(key, value)`: a string, number, boolean or table of them; nil deletes.
    static let storeSet: papo_swift_function = { L, context in
        guard let L, let script = script(context) else { return 0 }
        guard let key = script.storeKey(L, at: 1, "papo.store.set") else { return -1 }
        var budget = LuaValue.Budget(bytes: 2 * BotStore.maxValueBytes)
        do {
            let value = try LuaValue.read(L, at: 2, budget: &budget)
            try script.store.set(BotValueKey(scope: scope(L), key: key), value)
        } catch let refusal as LuaValue.Refusal where refusal.description == "grande demais" {
            return script.fail(L, "papo.store.set: \(BotStore.Failure.valueTooLong)")
        } catch {
            return script.fail(L, "papo.store.set: \(error)")
        }
        return 0
    }

    static let storeKeys: papo_swift_function = { L, context in
        guard let L, let script = script(context) else { return 0 }
        let keys = script.store.keys(in: scope(L))
        guard script.state.canAllocate(keys.reduce(64) { $0 + 56 + $1.utf8.count }) else {
            return script.fail(L, "papo.store.keys: as chaves não cabem na memória do script")
        }
        lua_createtable(L, Int32(min(keys.count, 1 << 16)), 0)
        for (index, key) in keys.enumerated() {
            script.push(L, key)
            lua_rawseti(L, -2, lua_Integer(index + 1))
        }
        return 1
    }

    /// `papo.store.room("cafe")`: the bot's keys for one room (any case, `#` or not).
    static let roomNamespace: papo_swift_function = { L, context in
        guard let L, let script = script(context) else { return 0 }
        guard let name = script.state.string(at: 1), case .success(let room) = NameRules.roomName(name) else {
            return script.fail(L, "papo.store.room: esperava o nome de uma sala")
        }
        script.pushNamespace(scope: "room:" + TextHelpers.fold(room))
        return 1
    }

    /// `papo.store.account(ctx.account_id)` (or an account's name, during a
    /// call): the bot's keys for one account, which follow it whatever
    /// name it is seen under.
    static let accountNamespace: papo_swift_function = { L, context in
        guard let L, let script = script(context) else { return 0 }
        guard let given = script.state.string(at: 1), !given.isEmpty else {
            return script.fail(L, "papo.store.account: esperava o id (ctx.account_id) ou o nome de uma conta")
        }
        var id = given
        if given.range(of: "^[0-9a-f]{32}$", options: .regularExpression) == nil {
            guard script.inCall else {
                return script.fail(L, "papo.store.account: pelo nome, só durante um comando, gancho ou timer")
            }
            var found: String?
            if given.utf8.count <= 4 * NameRules.maxNameLength { script.chat { chat in found = chat.account(named: given)?.id } }
            guard let account = found else { return script.fail(L, "papo.store.account: conta desconhecida: \(BotText.oneLine(given, maxCharacters: 40))") }
            id = account
        }
        script.pushNamespace(scope: "account:" + id)
        return 1
    }

    /// `papo.bot{name = "karma"}`: the bot's identity, which owns its data
    /// whatever its file is called. At the top level, before any store use.
    static let declareBot: papo_swift_function = { L, context in
        guard let L, let script = script(context) else { return 0 }
        guard script.loading else { return script.fail(L, "papo.bot: só pode ser usado no nível principal do script") }
        guard script.botName == nil else { return script.fail(L, "papo.bot: já declarado neste script") }
        guard script.boundStore == nil else { return script.fail(L, "papo.bot: deve vir antes de qualquer uso de papo.store") }
        var budget = LuaValue.Budget(bytes: 16 * 1024)
        guard let spec = (try? LuaValue.read(L, at: 1, budget: &budget))?.entries else {
            return script.fail(L, "papo.bot: esperava uma tabela, como {name = \"karma\"}")
        }
        do {
            try BotScenario.checkKeys(spec, allowed: ["name", "config"], what: "campo")
            if let config = spec[.string("config")] { script.settings = try BotSettings(config) }
        } catch {
            return script.fail(L, "papo.bot: \(error)")
        }
        guard let name = spec[.string("name")]?.text,
              name.range(of: "^[a-z0-9][a-z0-9_-]{0,31}$", options: .regularExpression) != nil else {
            return script.fail(L, "papo.bot: 'name' deve ter de 1 a 32 letras minúsculas, dígitos, _ ou -")
        }
        script.botName = name
        return 0
    }

    /// `papo.config("rodada")`: the setting's current value (what an admin
    /// set with `/botconfig`, else the declared default).
    static let config: papo_swift_function = { L, context in
        guard let L, let script = script(context) else { return 0 }
        guard let name = script.state.string(at: 1), let setting = script.settings?.setting(name) else {
            let known = script.settings?.settings.map(\.name).joined(separator: ", ") ?? ""
            return script.fail(L, "papo.config: ajuste desconhecido (declarados em papo.bot{config = ...}: \(known.isEmpty ? "nenhum" : known))")
        }
        (script.store.get(BotValueKey(scope: BotSettings.scope, key: setting.name)) ?? setting.defaultValue).push(L)
        return 1
    }

    /// Longest data file a script may read.
    static let maxDataFile = 256 * 1024

    /// `papo.read("perguntas.txt")`: the text of a file in the bot's data
    /// folder (`bots/<arquivo sem .lua>/`), or nil and why. Only plain files
    /// of that folder (no subfolders, no links), UTF-8, up to 256 KiB.
    static let readDataFile: papo_swift_function = { L, context in
        guard let L, let script = script(context) else { return 0 }
        guard let name = script.state.string(at: 1),
              name.range(of: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", options: .regularExpression) != nil,
              !name.contains("..") else {
            return script.fail(L, "papo.read: nome de arquivo inválido (letras, dígitos, _ . -, sem pastas)")
        }
        func refuse(_ why: String) -> Int32 {
            lua_pushnil(L)
            script.push(L, why)
            return 2
        }
        guard let folder = script.dataFolder else { return refuse("este script não tem pasta de dados") }
        // Opened without following links, the folder and then the file in
        // it, and read from that descriptor: nothing can be swapped for a
        // link between a check and the read.
        let directory = open(folder.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard directory >= 0 else { return refuse("não há pasta de dados \(folder.lastPathComponent)/ ao lado do script") }
        defer { close(directory) }
        let file = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard file >= 0 else {
            return refuse(errno == ELOOP ? "\(name): não é um arquivo comum" : "\(name): não existe")
        }
        defer { close(file) }
        var info = stat()
        guard fstat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return refuse("\(name): não é um arquivo comum") }
        let limit = LuaScript.maxDataFile
        guard Int(info.st_size) <= limit else { return refuse("\(name): maior que \(limit / 1024) KiB") }
        var bytes = [UInt8](repeating: 0, count: limit + 1)
        var count = 0
        while count <= limit {
            let got = bytes.withUnsafeMutableBytes { read(file, $0.baseAddress! + count, limit + 1 - count) }
            if got <= 0 { break }
            count += got
        }
        guard count <= limit else { return refuse("\(name): maior que \(limit / 1024) KiB") }
        guard let text = String(validating: bytes[0..<count], as: UTF8.self) else { return refuse("\(name): não é texto UTF-8") }
        guard script.state.canAllocate(count + 40) else { return script.fail(L, "papo.read: o arquivo não cabe na memória do script") }
        script.push(L, text)
        return 1
    }

    /// `papo.json.encode(v)`: JSON text, or an error for what JSON cannot hold.
    static let jsonEncode: papo_swift_function = { L, context in
        guard let L, let script = script(context) else { return 0 }
        var budget = LuaValue.Budget(bytes: LuaJSON.maxBytes)
        do {
            guard let value = try LuaValue.read(L, at: 1, budget: &budget) else {
                return script.fail(L, "papo.json.encode: nil não cabe em JSON")
            }
            let text = try LuaJSON.encode(value) { script.state.pastDeadline }
            guard script.state.canAllocate(text.utf8.count + 40) else {
                return script.fail(L, "papo.json.encode: o texto não cabe na memória do script")
            }
            script.push(L, text)
            return 1
        } catch {
            return script.fail(L, "papo.json.encode: \(error)")
        }
    }

    /// `papo.json.decode(s)`: the value, or nil and why.
    static let jsonDecode: papo_swift_function = { L, context in
        guard let L, let script = script(context) else { return 0 }
        guard let text = script.state.string(at: 1) else { return script.fail(L, "papo.json.decode: esperava um texto") }
        do {
            let value = try LuaJSON.decode(text) { script.state.pastDeadline }
            guard value.push(into: script.state) else {
                return script.fail(L, "papo.json.decode: o valor não cabe na memória do script")
            }
            return 1
        } catch let stop as LuaJSON.TimeLimit {
            // Past the deadline: an error, as a runaway loop's, not a bad input.
            return script.fail(L, "papo.json.decode: \(stop)")
        } catch {
            lua_pushnil(L)
            script.push(L, "\(error)")
            return 2
        }
    }
}
