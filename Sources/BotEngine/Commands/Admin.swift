import ChatCore

extension BuiltinCommands {
    /// `/admin senha`: become a server admin with the password given to
    /// `papo serve`. The answer comes once the password is checked (see
    /// AdminCheck.swift).
    public static let admin = Command(
        name: "admin", aliases: ["oper"], usage: "<senha>", summary: "torna-se administrador do servidor"
    ) { context in
        guard !context.arguments.isEmpty else { throw ChatError.missingArgument(usage: "/admin <senha>") }
        return try context.engine.requestAdmin(context.arguments, context: context)
    }
}
