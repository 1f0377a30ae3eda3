import ChatCore

extension BuiltinCommands {
    /// `/identificar nome senha`: become that account (a connection that
    /// already is it is closed: the newest wins).
    public static let identificar = Command(
        name: "identificar", aliases: ["identify", "login"], usage: "<nome> <senha>",
        summary: "entra na sua conta: você passa a usar o nome dela"
    ) { context in
        let parts = try context.required(2, usage: "/identificar <nome> <senha>")
        return try context.engine.identify(name: parts[0], password: parts[1], context: context)
    }
}
