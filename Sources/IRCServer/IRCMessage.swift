/// One IRC protocol line (RFC 1459 framing with IRCv3 message tags):
/// `[@tags] [:source] COMMAND param... [:trailing]`. Parsing is strict about
/// shape and lenient about spacing, as the Modern IRC client guide asks.
public struct IRCMessage: Equatable, Sendable {
    public var tags: [String: String]
    public var source: String?
    /// Upper-cased.
    public var command: String
    public var params: [String]

    public init(tags: [String: String] = [:], source: String? = nil, command: String, params: [String] = []) {
        self.tags = tags
        self.source = source
        self.command = command
        self.params = params
    }

    /// Parses one line without its CRLF; nil when it holds no command.
    public init?(parsing line: Substring) {
        var rest = line
        func skipSpaces() { while rest.first == " " { rest.removeFirst() } }
        func word() -> Substring {
            let end = rest.firstIndex(of: " ") ?? rest.endIndex
            let taken = rest[..<end]
            rest = rest[end...]
            return taken
        }
        var tags: [String: String] = [:]
        skipSpaces()
        if rest.first == "@" {
            rest.removeFirst()
            for pair in word().split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                tags[String(parts[0])] = parts.count > 1 ? Self.unescapeTag(parts[1]) : ""
            }
            skipSpaces()
        }
        var source: String?
        if rest.first == ":" {
            rest.removeFirst()
            source = String(word())
            skipSpaces()
        }
        let command = word()
        guard !command.isEmpty else { return nil }
        var params: [String] = []
        skipSpaces()
        while !rest.isEmpty {
            if rest.first == ":" {
                params.append(String(rest.dropFirst()))
                break
            }
            params.append(String(word()))
            skipSpaces()
        }
        self.init(tags: tags, source: source, command: command.uppercased(), params: params)
    }

    /// Commands whose last parameter is a name, not text: sent without `:`
    /// unless it needs one. Every other last parameter is sent as a
    /// trailing one, as most servers do, so clients read text alike.
    static let bareLast: Set<String> = ["JOIN", "PART", "MODE", "NICK", "324", "221", "INVITE"]

    /// The line to send, without CRLF. The last parameter gets a `:` when it
    /// needs one (empty, has a space, or starts with `:`) or is text; `trailing` forces it.
    public func serialized(trailing: Bool = false) -> String {
        let trailing = trailing || !Self.bareLast.contains(command)
        var line = ""
        if !tags.isEmpty {
            line += "@" + tags.sorted { $0.key < $1.key }
                .map { $0.value.isEmpty ? $0.key : "\($0.key)=\(Self.escapeTag($0.value))" }
                .joined(separator: ";") + " "
        }
        if let source { line += ":" + source + " " }
        line += command
        for (index, param) in params.enumerated() {
            let last = index == params.count - 1
            if last && (trailing || param.isEmpty || param.contains(" ") || param.hasPrefix(":")) {
                line += " :" + param
            } else {
                line += " " + param
            }
        }
        return line
    }

    static func escapeTag(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case ";": out += "\\:"
            case " ": out += "\\s"
            case "\\": out += "\\\\"
            case "\r": out += "\\r"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    static func unescapeTag(_ value: Substring) -> String {
        var out = ""
        var escaping = false
        for character in value {
            if escaping {
                switch character {
                case ":": out += ";"
                case "s": out += " "
                case "r": out += "\r"
                case "n": out += "\n"
                default: out.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return out
    }
}
