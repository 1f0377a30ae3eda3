import BotEngine

/// Lines that carry a password (`/admin senha`, `/registrar senha`,
/// `/identificar nome senha`, `/senha atual nova`, and their aliases): the
/// terminal client shows them masked and keeps them out of the up-arrow
/// history, so a password does not stay on a screen others may see.
enum SecretLine {
    /// Command names (with their slash, from the command table) and how
    /// many words after the name stay visible (`/identificar ana ****`).
    static let commands: [String: Int] = {
        var visible: [String: Int] = [:]
        for (command, shown) in [(BuiltinCommands.admin, 0), (BuiltinCommands.registrar, 0),
                                 (BuiltinCommands.senha, 0), (BuiltinCommands.identificar, 1)] {
            for name in [command.name] + command.aliases { visible["/" + name] = shown }
        }
        return visible
    }()

    static let mask = "********"

    /// `line` with its passwords replaced by asterisks, or nil when it carries none.
    static func masked(_ line: String) -> String? {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = words.first, let shown = commands[first.lowercased()], words.count > shown + 1 else {
            return nil
        }
        return ([String(first)] + words.dropFirst().prefix(shown).map(String.init) + [mask]).joined(separator: " ")
    }
}
