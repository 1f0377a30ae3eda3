import ChatCore

extension BuiltinCommands {
    /// `/chaves`: the SSH keys that log the caller's account in;
    /// `/chaves adicionar [linha]` adds the key this SSH session came in
    /// with (or an OpenSSH public key line from elsewhere);
    /// `/chaves remover SHA256:…` takes one away (a prefix of 12 or more
    /// characters will do when it names one key).
    static let chaves = Command(
        name: "chaves", aliases: ["keys"], usage: "[adicionar [chave] | remover <impressão>]",
        summary: "as chaves SSH que entram na sua conta sem senha"
    ) { context in
        let chat = context.chat, caller = context.caller
        let words = context.words(limit: 2)
        switch words.first.map(nameKey) {
        case nil:
            let keys = try chat.keys(of: caller)
            var lines = keys.isEmpty
                ? ["Sua conta não tem chaves SSH: entre por SSH com a sua chave e use /chaves adicionar."]
                : ["Chaves SSH da sua conta (\(keys.count)):"] + keys.map {
                    "  \($0.fingerprint) \($0.publicKey.prefix { $0 != " " }) (desde \(TimeFormat.dateTime($0.addedAt)))"
                }
            if let offered = chat.offeredKey(of: caller), !keys.contains(where: { $0.fingerprint == offered.fingerprint }) {
                lines.append("Esta sessão entrou com a chave \(offered.fingerprint), que não é da conta: /chaves adicionar a guarda.")
            }
            return .reply(lines.joined(separator: "\n"))
        case "adicionar", "add":
            let key: AccountKey
            if words.count > 1 {
                key = try SSHKeyLine.parse(words[1], at: chat.now).get()
            } else {
                guard let offered = chat.offeredKey(of: caller) else {
                    throw ChatError.missingArgument(usage: "/chaves adicionar <chave pública>, ou entre por SSH com a chave")
                }
                key = offered
            }
            let added = try chat.addKey(key, for: caller)
            return .reply(added ? "Chave \(key.fingerprint) adicionada: ela entra na sua conta por SSH sem senha."
                                : "A chave \(key.fingerprint) já é da sua conta.")
        case "remover", "remove":
            guard words.count > 1 else { throw ChatError.missingArgument(usage: "/chaves remover <impressão SHA256:…>") }
            let key = try chat.removeKey(matching: words[1], for: caller)
            return .reply("Chave \(key.fingerprint) removida: ela não entra mais na sua conta.")
        default:
            throw ChatError.missingArgument(usage: "/chaves [adicionar [chave] | remover <impressão>]")
        }
    }
}
