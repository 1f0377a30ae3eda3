import ChatCore

/// Every command the server knows, looked up by name or alias
/// (case-insensitively). Built-ins and script commands share it.
public final class CommandTable: @unchecked Sendable {
    public enum RegistrationError: Error, Equatable, CustomStringConvertible {
        case nameInUse(String, by: String)
        case invalidName(String)

        public var description: String {
            switch self {
            case .nameInUse(let name, let origin): return "o nome /\(name) já pertence a \(origin)"
            case .invalidName(let name): return "nome de comando inválido: \(name)"
            }
        }
    }

    private var commands: [Command] = []
    private var index: [String: Int] = [:]

    public init() {}

    /// Adds `command`; refuses a name or alias that is already taken.
    public func register(_ command: Command) throws {
        let names = [command.name] + command.aliases
        for name in names {
            guard Self.isValidName(name) else { throw RegistrationError.invalidName(name) }
            if let existing = index[name.lowercased()] {
                throw RegistrationError.nameInUse(name, by: commands[existing].origin)
            }
        }
        commands.append(command)
        for name in names { index[name.lowercased()] = commands.count - 1 }
    }

    /// Removes every command that came from `origin`.
    public func removeAll(from origin: String) {
        let kept = commands.filter { $0.origin != origin }
        commands = []
        index = [:]
        for command in kept { try? register(command) }
    }

    public func lookup(_ name: String) -> Command? {
        index[name.lowercased()].map { commands[$0] }
    }

    /// All commands, in registration order.
    public var all: [Command] { commands }

    /// The commands a caller with `role` may run.
    public func available(to role: Role) -> [Command] {
        commands.filter { role >= $0.permission.requiredRole }
    }

    /// The closest name to a mistyped one among the commands `role` may
    /// run, if any is close enough.
    public func suggestion(for typed: String, role: Role) -> String? {
        let typed = typed.lowercased()
        // No command name is longer; this also keeps the distance cheap.
        guard !typed.isEmpty, typed.count <= 32 else { return nil }
        var best: (name: String, distance: Int)?
        for name in index.keys.sorted() where role >= commands[index[name]!].permission.requiredRole {
            let isPrefix = typed.count >= 2 && name.hasPrefix(typed)
            let distance = isPrefix ? 1 : EditDistance.between(typed, name)
            if distance <= max(1, min(2, typed.count / 3)), distance < (best?.distance ?? .max) {
                best = (name, distance)
            }
        }
        return best.flatMap { index[$0.name] }.map { commands[$0].name }
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 32
            && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" }
    }
}

/// Edit distance for "did you mean" suggestions: Levenshtein's, plus a
/// swap of two neighbouring letters as one edit (Damerau's, in its
/// "optimal string alignment" form), the commonest typo: `/pnig` → `/ping`.
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = Array(repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
