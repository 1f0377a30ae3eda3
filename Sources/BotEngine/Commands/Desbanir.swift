import ChatCore

extension BuiltinCommands {
    /// `/desbanir nome`: lift a ban in the caller's room.
    static let desbanir = Command(
        name: "desbanir", aliases: ["unban"], usage: "<nome>", summary: "retira o banimento", permission: .moderator
    ) { context in
        let parts = try context.required(1, usage: "/desbanir <nome>")
        try context.chat.unban(context.caller, target: parts[0])
        return .reply("\(parts[0]) pode voltar a #\(context.chat.roomName(of: context.caller) ?? "").")
    }
}
