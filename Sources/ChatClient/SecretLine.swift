import BotEngine

/// Lines that carry a password (`/admin senha` and its aliases): the
/// terminal client shows them masked and keeps them out of the up-arrow
/// history, so the password does not stay on a screen others may see.
enum SecretLine {
    /// The admin command's names, with their slash, from the command table.
    static let commands = Set(([BuiltinCommands.admin.name] + BuiltinCommands.admin.aliases).map { "/" + $0 })

    static let mask = "********"

    /// `line` with its password replaced by asterisks, or nil when it carries none.
    static func masked(_ line: String) -> String? {
        let words = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard words.count == 2, commands.contains(words[0].lowercased()),
              words[1].contains(where: { $0 != " " }) else { return nil }
        return "\(words[0]) \(mask)"
    }
}
