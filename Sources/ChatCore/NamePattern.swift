/// Name patterns for bans and ban exceptions (IRC's `+b ba*!*@*` and
/// `+e`, nick part): `*` stands for any run of characters, `?` for one,
/// matched on name keys. A pattern without either is a plain name.
public enum NamePattern {
    /// Exceptions a room keeps at most.
    public static let maxExceptions = 50

    public static func isPattern(_ text: String) -> Bool {
        text.contains("*") || text.contains("?")
    }

    /// The cleaned pattern, or why it is refused: the characters a name may
    /// have, plus `*` and `?`, and no longer than a name.
    public static func validate(_ raw: String) -> Result<String, ChatError> {
        let pattern = raw.trimmingSpaces
        if pattern.isEmpty { return .failure(.nameEmpty) }
        if pattern.count > NameRules.maxNameLength { return .failure(.nameTooLong(max: NameRules.maxNameLength)) }
        guard pattern.unicodeScalars.allSatisfy({ $0 == "*" || $0 == "?" || NameRules.isNameScalar($0) }) else {
            return .failure(.nameInvalid(pattern))
        }
        return .success(pattern)
    }

    /// Whether the name key `name` matches the pattern key `pattern`. The
    /// usual greedy star with one backtrack point: linear in practice and
    /// at worst the product of two name lengths.
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern), n = Array(name)
        var i = 0, j = 0
        var star: Int? = nil, resume = 0
        while j < n.count {
            if i < p.count, p[i] == "?" || p[i] == n[j] {
                i += 1
                j += 1
            } else if i < p.count, p[i] == "*" {
                star = i
                resume = j
                i += 1
            } else if let star {
                i = star + 1
                resume += 1
                j = resume
            } else {
                return false
            }
        }
        while i < p.count, p[i] == "*" { i += 1 }
        return i == p.count
    }
}
