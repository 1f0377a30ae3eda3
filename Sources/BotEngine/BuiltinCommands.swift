/// The built-in commands, one file each under Commands/.
public enum BuiltinCommands {
    /// Every built-in, in the order `/ajuda` lists them.
    public static let all: [Command] = [
        ajuda, sair, usuarios, nome, privado, historico, hora, ping, stats, salas, entrar, sairsala, sala, em, aviso, topico,
        modo, expulsar, banir, desbanir, moderador, desmoderador, registrar, identificar, senha, conta, chaves, admin,
    ]

    /// Commands whose arguments carry a password, each name and alias with
    /// how many words before the password may be shown (`/identificar ana
    /// ********`). The terminal client masks these lines, and the engine
    /// never says a line in a room that looks like one.
    public static let passwordCommands: [String: Int] = {
        var shown: [String: Int] = [:]
        for (command, words) in [(admin, 0), (registrar, 0), (senha, 0), (identificar, 1)] {
            for name in [command.name] + command.aliases { shown[name] = words }
        }
        return shown
    }()

    /// True when `text` (trimmed) is a password command with something after
    /// it: ` /identificar ana x`, typed with a space first, would otherwise
    /// be said in the room.
    public static func looksLikePasswordCommand(_ text: String) -> Bool {
        let words = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard words.count == 2, words[0].first == "/" else { return false }
        return passwordCommands[words[0].dropFirst().lowercased()] != nil
    }

    /// A fresh table holding every built-in.
    public static func table() -> CommandTable {
        let table = CommandTable()
        for command in all {
            // Built-in names are distinct by construction; a clash is a programming error.
            try! table.register(command)
        }
        return table
    }
}
