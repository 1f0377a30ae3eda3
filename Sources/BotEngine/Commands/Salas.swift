import ChatCore

extension BuiltinCommands {
    /// `/salas`: rooms with member counts, moderators and topics; the
    /// caller's rooms are marked, the current one too; a secret room is
    /// listed only to its members and to admins, marked as such.
    static let salas = Command(name: "salas", aliases: ["rooms", "list"], summary: "lista as salas, quantas pessoas e os moderadores") { context in
        let rooms = context.chat.roomList(for: context.caller)
        let mine = Set(context.chat.roomNames(of: context.caller).map(nameKey))
        let current = context.chat.roomName(of: context.caller).map(nameKey)
        var lines = ["Salas (\(rooms.count)):"]
        // Listed: the caller's rooms, then the others, up to `maxListed` in all.
        let listed = rooms.filter { mine.contains(nameKey($0.name)) }
            + rooms.filter { !mine.contains(nameKey($0.name)) }.prefix(max(0, maxListed - mine.count))
        let shown = Set(listed.map { nameKey($0.name) })
        for room in rooms where shown.contains(nameKey(room.name)) {
            let people = room.memberCount == 1 ? "1 pessoa" : "\(room.memberCount) pessoas"
            let moderators = room.moderators.isEmpty ? "" : " · moderação: " + room.moderators.joined(separator: ", ")
            let secret = room.secret ? " · secreta" : ""
            let topic = room.topic.map { " · tópico: \(Self.clipped($0))" } ?? ""
            let mark = nameKey(room.name) == current ? " [sala atual]" : mine.contains(nameKey(room.name)) ? " [você está]" : ""
            lines.append("  #\(room.name) — \(people)\(secret)\(moderators)\(topic)\(mark)")
        }
        if rooms.count > listed.count { lines.append("  … e mais \(rooms.count - listed.count) salas.") }
        return .reply(lines.joined(separator: "\n"))
    }

    /// Rooms `/salas` lists at most (the caller's always are): a server
    /// with thousands answers in a bounded reply.
    static let maxListed = 100

    /// A topic as a listing shows it: its first 60 characters.
    static func clipped(_ topic: String) -> String {
        topic.count > 60 ? String(topic.prefix(60)) + "…" : topic
    }
}
