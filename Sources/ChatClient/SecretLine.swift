import BotEngine

/// Lines that carry a password (`/admin senha`, `/registrar senha`,
/// `/identificar nome senha`, `/senha atual nova`, and their aliases): the
/// terminal client shows them masked and keeps them out of the up-arrow
/// history, so a password does not stay on a screen others may see.
public enum SecretLine {
    /// Command names, with their slash, and how many words after the name
    /// stay visible (`/identificar ana ****`), from the engine's list.
    static let commands = Dictionary(uniqueKeysWithValues: BuiltinCommands.passwordCommands.map { ("/" + $0.key, $0.value) })

    static let mask = "********"

    /// `line` with its passwords replaced by asterisks, or nil when it carries none.
    public static func masked(_ line: String) -> String? {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = words.first, let shown = commands[first.lowercased()], words.count > shown + 1 else {
            return nil
        }
        return ([String(first)] + words.dropFirst().prefix(shown).map(String.init) + [mask]).joined(separator: " ")
    }
}
