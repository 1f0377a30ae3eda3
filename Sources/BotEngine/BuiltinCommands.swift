/// The built-in commands, one file each under Commands/.
public enum BuiltinCommands {
    /// Every built-in, in the order `/ajuda` lists them.
    public static let all: [Command] = [
        ajuda, sair, usuarios, nome, privado, historico, hora, ping, stats, salas, entrar,
        expulsar, banir, desbanir, moderador, desmoderador, registrar, identificar, senha, conta, admin,
    ]

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
