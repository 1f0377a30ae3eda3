import ChatCore

extension BuiltinCommands {
    /// `/salas`: rooms with member counts and moderators.
    static let salas = Command(name: "salas", aliases: ["rooms", "list"], summary: "lista as salas, quantas pessoas e os moderadores") { context in
        let rooms = context.chat.roomList()
        var lines = ["Salas (\(rooms.count)):"]
        for room in rooms {
            let people = room.memberCount == 1 ? "1 pessoa" : "\(room.memberCount) pessoas"
            let moderators = room.moderators.isEmpty ? "" : " · moderação: " + room.moderators.joined(separator: ", ")
            lines.append("  #\(room.name) — \(people)\(moderators)")
        }
        return .reply(lines.joined(separator: "\n"))
    }
}
