import Foundation

/// Reading a named room's state, and banning a name that is not in the
/// room: what front ends that name their target room in every request
/// (IRC's TOPIC, MODE #sala b, MODE #sala +b mask) need.
extension Chat {
    /// The topic of the room `name` (nil: it has none).
    public func topic(ofRoom name: String) throws -> (room: String, topic: TopicRecord?) {
        let room = try existingRoom(name)
        return (room.name, room.topic)
    }

    /// The bans of the room `name`, oldest first.
    public func bans(ofRoom name: String) throws -> (room: String, bans: [BanRecord]) {
        let room = try existingRoom(name)
        return (room.name, room.bans.values.sorted { $0.time < $1.time })
    }

    /// Bars the name `targetName` from `roomName` (a room the caller
    /// moderates) whether or not anyone of that name is online; someone
    /// of that name in the room is banned as `ban` does it.
    public func banName(_ id: UserID, name targetName: String, in roomName: String) throws {
        let moderator = try user(id)
        let room = try speakingRoom(of: moderator, named: roomName)
        guard role(of: moderator, in: room) >= .moderator else { throw ChatError.notModerator(room.name) }
        if let target = lookup(targetName), target.rooms.contains(room.key) {
            try ban(id, target: target.name, in: room.name)
            return
        }
        let name = try NameRules.userName(targetName).get()
        if nameKey(name) == nameKey(moderator.name) { throw ChatError.cannotTargetSelf }
        let record = BanRecord(name: name, address: nil, bannedBy: moderator.name, time: clock())
        room.bans[nameKey(name)] = record
        storage.record(.banAdded(room: room.name, record))
        emit(ChatEvent(kind: .ban, room: room.name, sender: moderator.name, target: name, text: ChatEvent.banOfAbsentName,
                       time: clock()), to: room)
    }

    func existingRoom(_ name: String) throws -> Room {
        let clean = try NameRules.roomName(name).get()
        guard let room = rooms[nameKey(clean)] else { throw ChatError.noSuchRoom(clean) }
        return room
    }
}
