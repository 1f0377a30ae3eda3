/// Validation of user names, room names and message text. Pure functions, so
/// the server, the client and tests agree on one definition.
public enum NameRules {
    public static let maxNameLength = 24
    public static let maxRoomLength = 32
    public static let maxMessageLength = 2000

    /// Names nobody may take: they would pass for the server or its bot.
    public static let reserved: Set<String> = [
        "papo", "bot", "admin", "administrador", "servidor", "server", "sistema", "system",
        "root", "moderador", "operator", "oper", "todos", "voce", "você", "erro",
    ]

    /// Returns the cleaned user name or why it is refused.
    public static func userName(_ raw: String) -> Result<String, ChatError> {
        let name = raw.trimmingSpaces
        if name.isEmpty { return .failure(.nameEmpty) }
        if name.count > maxNameLength { return .failure(.nameTooLong(max: maxNameLength)) }
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic,
              name.unicodeScalars.allSatisfy(isNameScalar) else {
            return .failure(.nameInvalid(name))
        }
        if reserved.contains(nameKey(name)) || reservedSkeletons.contains(skeleton(name)) {
            return .failure(.nameReserved(name))
        }
        return .success(name)
    }

    /// Returns the cleaned room name (without a leading `#`) or why it is refused.
    public static func roomName(_ raw: String) -> Result<String, ChatError> {
        var name = raw.trimmingSpaces
        if name.hasPrefix("#") { name.removeFirst() }
        guard !name.isEmpty, name.count <= maxRoomLength,
              name.unicodeScalars.allSatisfy(isNameScalar) else {
            return .failure(.roomNameInvalid(raw.trimmingSpaces))
        }
        return .success(name)
    }

    /// Returns the message text to send or why it is refused. Tabs become
    /// spaces; any other control character (which could drive another user's
    /// terminal) or invisible formatting character (bidi overrides that
    /// reverse what others read, zero-width spaces, line separators that JSON
    /// must escape) refuses the whole message.
    public static func messageText(_ raw: String) -> Result<String, ChatError> {
        let text = raw.replacingTabs.trimmingSpaces
        if text.isEmpty { return .failure(.messageEmpty) }
        // Characters never outnumber UTF-8 bytes, so short text skips the count.
        if text.utf8.count > maxMessageLength, text.count > maxMessageLength {
            return .failure(.messageTooLong(max: maxMessageLength))
        }
        if containsControlCharacters(text) { return .failure(.controlCharacters) }
        return .success(text)
    }

    /// True when `text` holds a C0 or C1 control character, DEL, an
    /// invisible format character (except the zero-width joiner that emoji
    /// sequences need) or a line or paragraph separator.
    public static func containsControlCharacters(_ text: String) -> Bool {
        // Printable ASCII, the common case, needs no Unicode property lookup.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return false }
        return text.unicodeScalars.contains(where: isControl)
    }

    /// The characters `containsControlCharacters` looks for.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        case .format: return scalar != "\u{200D}"
        default: return false
        }
    }

    static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" || scalar == "-" || scalar == "." { return true }
        let props = scalar.properties
        if props.isAlphabetic { return true }
        return props.numericType == .decimal
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " { scalars.removeFirst() }
        while let last = scalars.last, last == " " { scalars.removeLast() }
        return String(scalars)
    }

    var replacingTabs: String {
        utf8.contains(UInt8(ascii: "\t")) ? String(map { $0 == "\t" ? " " : $0 }) : self
    }
}
