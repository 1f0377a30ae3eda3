import Foundation

/// Look-alike names. Two names with the same skeleton could pass for each
/// other on a terminal, so no one may take a name whose skeleton an online
/// user's name (or a reserved name) already has. The skeleton is in the
/// spirit of Unicode's UTS #39 confusable skeleton, with a small hand-made
/// table instead of the full data file. No Swift package ships that data,
/// and the table covers the letters that pass for Latin ones in names:
/// Cyrillic and Greek look-alikes, digits that pass for letters, and
/// letter pairs such as "rn" for "m".
extension NameRules {
    /// The name folded to what a reader sees: compatibility forms folded,
    /// accents and case dropped, look-alike letters mapped to Latin ones,
    /// and `.`, `_` and `-` left out.
    public static func skeleton(_ name: String) -> String {
        var folded = ""
        for scalar in name.decomposedStringWithCompatibilityMapping.lowercased().unicodeScalars {
            if scalar.properties.generalCategory == .nonspacingMark || separators.contains(scalar) { continue }
            if let latin = lookalikes[scalar] {
                folded.unicodeScalars.append(contentsOf: latin.unicodeScalars)
            } else {
                folded.unicodeScalars.append(scalar)
            }
        }
        return folded.replacingOccurrences(of: "rn", with: "m").replacingOccurrences(of: "vv", with: "w")
    }

    /// Skeletons of the reserved names, so "pаpo" with a Cyrillic "а" is reserved too.
    static let reservedSkeletons = Set(reserved.map(skeleton))

    private static let separators: Set<Unicode.Scalar> = [".", "_", "-"]

    /// Lower-case look-alikes of Latin letters, after case folding.
    private static let lookalikes: [Unicode.Scalar: String] = [
        // Cyrillic
        "а": "a", "е": "e", "ё": "e", "і": "l", "ї": "l", "ј": "j", "к": "k", "о": "o", "р": "p", "с": "c",
        "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ɡ": "g",
        // Greek
        "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "l", "κ": "k", "υ": "u", "χ": "x", "ϲ": "c", "ϳ": "j",
        // Latin letters that pass for others
        "ı": "l", "i": "l", "ł": "l", "ø": "o", "đ": "d", "ß": "ss",
        // Digits that pass for letters
        "0": "o", "1": "l",
    ]
}
