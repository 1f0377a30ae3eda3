import Foundation

/// A multi-step test a script declares with `papo.test{...}`: users in a
/// chat, lines they type, a virtual clock moved on, and what must come
/// back, be said or be whispered at each step. `papo bots test` runs them;
/// the server only reads them (a wrong one never stops a bot loading).
public struct BotScenario: Sendable, Equatable {
    public struct User: Sendable, Equatable {
        public var name: String
        /// Made an admin (an admin account) before the first step.
        public var admin = false
        /// A registered account, identified: `ctx.account` is set.
        public var account = false
    }

    /// What a text must be: exactly this, or matching this Lua pattern.
    public enum Text: Sendable, Equatable {
        case exact(String)
        case pattern(String)
    }

    /// Something the bot said (`room` nil: any room) or whispered (`to`).
    public struct Spoken: Sendable, Equatable {
        public var text: Text
        public var room: String?
        public var to: String?
    }

    public enum Action: Sendable, Equatable {
        /// `user` types `line` (a command or a chat message) in their current room.
        case send(user: String, line: String)
        /// The virtual clock moves on by this many seconds.
        case advance(Double)
        /// A new user arrives (into #geral).
        case connect(String)
        /// A user leaves the server.
        case disconnect(String)
        /// An admin's `/reload`: the old version's `unload`, the new one's `load`.
        case reload
    }

    public struct Step: Sendable, Equatable {
        public var action: Action
        /// The reply the sender must get (the last one of the step).
        public var reply: Text?
        /// The error code the sender must get instead of success.
        public var error: String?
        /// Exactly what the bot says in rooms during the step, in order; nil: not checked.
        public var says: [Spoken]?
        /// Exactly what the bot whispers during the step, in order; nil: not checked.
        public var whispers: [Spoken]?
        /// What the room saw of the sender's message, after the hooks.
        public var delivered: Text?
    }

    public var name: String
    public var users: [User]
    public var steps: [Step]
    /// `arquivo.lua:12`, where it was declared.
    public var location: String
}

extension BotScenario {
    static let fields: Set<String> = ["name", "users", "steps"]
    static let userFields: Set<String> = ["name", "admin", "account"]
    static let stepActions: Set<String> = ["send", "advance", "connect", "disconnect", "reload"]
    static let stepFields: Set<String> = stepActions.union(["user", "reply", "error", "says", "whispers", "delivered"])
    static let maxSteps = 100
    static let maxUsers = 20
    static let defaultUsers = ["ana", "bia", "caio"]

    /// Reads a declaration; throws with a message that names the field.
    init(_ value: LuaValue, location: String) throws {
        guard let spec = value.entries else { throw LuaValue.Refusal("esperava uma tabela") }
        try Self.checkKeys(spec, allowed: Self.fields, what: "campo")
        guard let name = spec[.string("name")]?.text, !name.isEmpty else { throw LuaValue.Refusal("falta 'name'") }
        self.name = BotText.oneLine(name, maxCharacters: 120)
        self.location = location
        if let users = spec[.string("users")] {
            guard let list = users.list, !list.isEmpty, list.count <= Self.maxUsers else {
                throw LuaValue.Refusal("'users' deve ser uma lista de 1 a \(Self.maxUsers) usuários")
            }
            self.users = try list.map(Self.user)
        } else {
            users = Self.defaultUsers.map { User(name: $0) }
        }
        let names = Set(users.map { $0.name.lowercased() })
        guard names.count == users.count else { throw LuaValue.Refusal("'users' repete um nome") }
        guard let steps = spec[.string("steps")]?.list, !steps.isEmpty, steps.count <= Self.maxSteps else {
            throw LuaValue.Refusal("'steps' deve ser uma lista de 1 a \(Self.maxSteps) passos")
        }
        let firstUser = users[0].name
        self.steps = try steps.enumerated().map { index, step in
            do {
                return try Self.step(step, defaultUser: firstUser)
            } catch {
                throw LuaValue.Refusal("passo \(index + 1): \(error)")
            }
        }
    }

    private static func user(_ value: LuaValue) throws -> User {
        if let name = value.text { return User(name: name) }
        guard let entries = value.entries else { throw LuaValue.Refusal("cada usuário é um nome ou uma tabela") }
        try checkKeys(entries, allowed: userFields, what: "campo de usuário")
        guard let name = entries[.string("name")]?.text else { throw LuaValue.Refusal("usuário sem 'name'") }
        return User(name: name, admin: try flag(entries, "admin"), account: try flag(entries, "account"))
    }

    private static func step(_ value: LuaValue, defaultUser: String) throws -> Step {
        guard let entries = value.entries else { throw LuaValue.Refusal("esperava uma tabela") }
        try checkKeys(entries, allowed: stepFields, what: "campo")
        let actions = stepActions.filter { entries[.string($0)] != nil }
        guard actions.count == 1, let actionName = actions.first else {
            throw LuaValue.Refusal("cada passo tem uma só ação: \(stepActions.sorted().joined(separator: ", "))")
        }
        let raw = entries[.string(actionName)]!
        let action: Action
        switch actionName {
        case "send":
            guard let line = raw.text else { throw LuaValue.Refusal("'send' deve ser texto") }
            let user = try entries[.string("user")].map { value -> String in
                guard let name = value.text else { throw LuaValue.Refusal("'user' deve ser texto") }
                return name
            } ?? defaultUser
            action = .send(user: user, line: line)
        case "advance":
            guard let seconds = raw.double, seconds > 0, seconds <= 30 * 86_400 else {
                throw LuaValue.Refusal("'advance' deve ser um número de segundos, de 0 a 30 dias")
            }
            action = .advance(seconds)
        case "connect", "disconnect":
            guard let name = raw.text else { throw LuaValue.Refusal("'\(actionName)' deve ser um nome") }
            action = actionName == "connect" ? .connect(name) : .disconnect(name)
        default:
            guard raw == .boolean(true) else { throw LuaValue.Refusal("'reload' deve ser true") }
            action = .reload
        }
        if entries[.string("user")] != nil, actionName != "send" {
            throw LuaValue.Refusal("'user' só vale com 'send'")
        }
        if actionName != "send", let misplaced = ["reply", "error", "delivered"].first(where: { entries[.string($0)] != nil }) {
            throw LuaValue.Refusal("'\(misplaced)' só vale com 'send'")
        }
        var step = Step(action: action)
        step.reply = try entries[.string("reply")].map { try text($0, field: "reply") }
        step.delivered = try entries[.string("delivered")].map { try text($0, field: "delivered") }
        if let error = entries[.string("error")] {
            guard let code = error.text else { throw LuaValue.Refusal("'error' deve ser um código de erro") }
            step.error = code
        }
        step.says = try entries[.string("says")].map { try spoken($0, field: "says", whisper: false) }
        step.whispers = try entries[.string("whispers")].map { try spoken($0, field: "whispers", whisper: true) }
        return step
    }

    /// `"texto exato"` or `{matches = "padrão"}`.
    private static func text(_ value: LuaValue, field: String) throws -> Text {
        if let exact = value.text { return .exact(exact) }
        guard let entries = value.entries, entries.count == 1, let pattern = entries[.string("matches")]?.text else {
            throw LuaValue.Refusal("'\(field)' deve ser um texto ou {matches = \"padrão\"}")
        }
        return .pattern(pattern)
    }

    /// A list (or one entry) of `"texto"` or `{text = | matches =, room = | to =}`.
    private static func spoken(_ value: LuaValue, field: String, whisper: Bool) throws -> [Spoken] {
        if let one = value.text { return [Spoken(text: .exact(one))] }
        guard let list = value.list else { throw LuaValue.Refusal("'\(field)' deve ser uma lista") }
        let place = whisper ? "to" : "room"
        return try list.map { item in
            if let exact = item.text { return Spoken(text: .exact(exact)) }
            guard let entries = item.entries else { throw LuaValue.Refusal("cada item de '\(field)' é um texto ou uma tabela") }
            try checkKeys(entries, allowed: ["text", "matches", place], what: "campo de '\(field)'")
            let text: Text
            switch (entries[.string("text")]?.text, entries[.string("matches")]?.text) {
            case (let exact?, nil): text = .exact(exact)
            case (nil, let pattern?): text = .pattern(pattern)
            default: throw LuaValue.Refusal("cada item de '\(field)' tem 'text' ou 'matches'")
            }
            let where_ = try entries[.string(place)].map { value -> String in
                guard let name = value.text else { throw LuaValue.Refusal("'\(place)' deve ser texto") }
                return name
            }
            return whisper ? Spoken(text: text, to: where_) : Spoken(text: text, room: where_)
        }
    }

    private static func flag(_ entries: [LuaValue.LuaKey: LuaValue], _ key: String) throws -> Bool {
        guard let value = entries[.string(key)] else { return false }
        guard case .boolean(let flag) = value else { throw LuaValue.Refusal("'\(key)' deve ser true ou false") }
        return flag
    }

    /// Refuses any key not in `allowed`, naming it: a misspelt key is an error, not silence.
    static func checkKeys(_ entries: [LuaValue.LuaKey: LuaValue], allowed: Set<String>, what: String) throws {
        for key in entries.keys.sorted() where !allowed.contains(key.text) {
            let suggestion = allowed.sorted().joined(separator: ", ")
            throw LuaValue.Refusal("\(what) desconhecido '\(BotText.oneLine(key.text, maxCharacters: 40))' (use \(suggestion))")
        }
    }
}

extension BotScenario.Step {
    init(action: BotScenario.Action) {
        self.init(action: action, reply: nil, error: nil, says: nil, whispers: nil, delivered: nil)
    }
}
