import ChatCore

extension BuiltinCommands {
    /// `/entrar sala`: join a room, creating it if new; its creator moderates
    /// it (a guest only while connected, which the reply says).
    static let entrar = Command(
        name: "entrar", aliases: ["join"], usage: "<sala>", summary: "entra numa sala (e a cria, se não existir)"
    ) { context in
        let parts = try context.required(1, usage: "/entrar <sala>")
        let (room, created) = try context.chat.join(context.caller, room: parts[0])
        guard created else { return .done }
        let rights = context.chat.account(of: context.caller) == nil
            ? " Como convidado, só enquanto estiver conectado: /registrar <senha> guarda o seu nome e as suas salas."
            : " Ela é da sua conta."
        return .reply("Sala #\(room) criada. Você é o moderador dela." + rights)
    }
}
