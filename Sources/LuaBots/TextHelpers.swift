import ChatCore
import Foundation

/// The text helpers scripts get as `papo.fold`, `papo.same_name`,
/// `papo.words`, `papo.parse_duration` and `papo.format_duration`: what
/// Lua's byte-based patterns cannot do for Portuguese text. Pure functions.
enum TextHelpers {
    /// How the server tells names apart: composed form, case dropped
    /// (`João`, `JOÃO` and `joa\u{0303}o` fold alike; `joao` does not).
    static func fold(_ text: String) -> String {
        nameKey(text.precomposedStringWithCanonicalMapping)
    }

    /// The words of `text`, in order: runs of letters, digits and marks
    /// (Unicode-aware: `joão`, `ação`, `1º`), with `_`, and `-`, `'` or `.`
    /// kept when they join two word characters (`guarda-chuva`, `d'água`).
    /// At most `limit`.
    static func words(_ text: String, limit: Int = 1000) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        var joiner: Unicode.Scalar?
        func isWordScalar(_ s: Unicode.Scalar) -> Bool {
            s.properties.isAlphabetic || s.properties.numericType != nil || s == "_"
                || s.properties.generalCategory == .nonspacingMark || s.properties.generalCategory == .spacingMark
        }
        func finish() {
            if !current.isEmpty, words.count < limit { words.append(String(current)) }
            current = String.UnicodeScalarView()
            joiner = nil
        }
        for scalar in text.unicodeScalars {
            if isWordScalar(scalar) {
                if let j = joiner { current.append(j) }
                joiner = nil
                current.append(scalar)
            } else if !current.isEmpty, joiner == nil, scalar == "-" || scalar == "'" || scalar == "’" || scalar == "." {
                joiner = scalar
            } else {
                finish()
            }
            if words.count >= limit { break }
        }
        finish()
        return words
    }

    static let units: [(suffix: String, seconds: Int)] = [
        ("d", 86_400), ("h", 3600), ("min", 60), ("m", 60), ("s", 1),
    ]
    static let longestDuration = 366 * 86_400

    /// Seconds in `1h30m`, `10m`, `45s`, `2d`, `90` (seconds), `1h 30min`;
    /// nil for anything else, zero, or over a year.
    static func parseDuration(_ text: String) -> Int? {
        var rest = Substring(text.lowercased().filter { $0 != " " })
        guard !rest.isEmpty, rest.count <= 40 else { return nil }
        if let plain = Int(rest) { return (1...longestDuration).contains(plain) ? plain : nil }
        var total = 0
        var used: Set<String> = []
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 9, let amount = Int(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.suffix) }), used.insert(unit.suffix == "min" ? "m" : unit.suffix).inserted
            else { return nil }
            rest = rest.dropFirst(unit.suffix.count)
            total += amount * unit.seconds
            guard total <= longestDuration else { return nil }
        }
        return total > 0 ? total : nil
    }

    /// `5400` → `1h30m`; `45` → `45s`; `86400` → `1d`.
    static func formatDuration(_ seconds: Int) -> String {
        guard seconds > 0 else { return "0s" }
        var left = seconds
        var parts = ""
        for (suffix, size) in units where suffix != "min" {
            if left >= size {
                parts += "\(left / size)\(suffix)"
                left %= size
            }
        }
        return parts
    }
}
