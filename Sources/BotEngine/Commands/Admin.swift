import ChatCore

extension BuiltinCommands {
    /// `/admin senha`: become a server admin with the password given to `papo serve`.
    static let admin = Command(
        name: "admin", aliases: ["oper"], usage: "<senha>", summary: "torna-se administrador do servidor"
    ) { context in
        guard !context.arguments.isEmpty else { throw ChatError.missingArgument(usage: "/admin <senha>") }
        try context.engine.checkAdminPassword(context.arguments, from: context.caller, name: context.callerName)
        try context.chat.grantAdmin(context.caller)
        return .reply("Agora você é administrador.")
    }
}
