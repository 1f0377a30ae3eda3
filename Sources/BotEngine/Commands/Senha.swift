import ChatCore

extension BuiltinCommands {
    /// `/senha atual nova`: change the account's password.
    public static let senha = Command(
        name: "senha", aliases: ["password"], usage: "<atual> <nova>", summary: "troca a senha da sua conta"
    ) { context in
        let parts = try context.required(2, usage: "/senha <atual> <nova>")
        return try context.engine.changePassword(current: parts[0], new: parts[1], context: context)
    }
}
