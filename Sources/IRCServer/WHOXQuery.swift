/// The fields of a WHOX query (`WHO mask %tcuihsnfdlaor,token`, IRCv3's
/// extension of WHO): which columns a 354 row carries, always in the
/// extension's fixed order whatever order they were asked in, and the
/// client's token (up to 3 digits) when it asked for `t`.
struct WHOXQuery: Equatable {
    /// Every field, in the order the rows give them.
    static let order: [Character] = Array("tcuihsnfdlaor")

    let fields: Set<Character>
    let token: String

    /// Parses `%fields[,token]`; nil for anything else (then WHO is plain).
    init?(_ text: String) {
        guard text.first == "%" else { return nil }
        let parts = text.dropFirst().split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
        fields = Set(parts[0].filter { Self.order.contains($0) })
        let token = parts.count > 1 ? String(parts[1]) : ""
        // The token is echoed back: digits only, so it can never smuggle text.
        self.token = token.count <= 3 && token.allSatisfy(\.isASCIIDigit) ? token : ""
    }

    /// The row's parameters from `values` (one per field letter but `t`);
    /// the last one, when it is the real name, may hold spaces.
    func params(_ values: [Character: String]) -> [String] {
        Self.order.filter(fields.contains).map { field in
            field == "t" ? (token.isEmpty ? "0" : token) : values[field] ?? "*"
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
