import ChatCore

extension BuiltinCommands {
    /// `/registrar senha`: the name the caller holds becomes their account.
    public static let registrar = Command(
        name: "registrar", aliases: ["register"], usage: "<senha>",
        summary: "registra o seu nome com uma senha (mínimo de \(ChatEngine.minPasswordLength) caracteres)"
    ) { context in
        // The password is everything after the command: it may hold spaces.
        guard !context.arguments.isEmpty else { throw ChatError.missingArgument(usage: "/registrar <senha>") }
        return try context.engine.register(password: context.arguments, context: context)
    }
}
