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
    /// of that name in the room is banned as `ban` does it. A pattern
    /// (`ba*`, `NamePattern`) bars every name it fits from joining, and
    /// removes nobody.
    public func banName(_ id: UserID, name targetName: String, in roomName: String) throws {
        let moderator = try user(id)
        let room = try speakingRoom(of: moderator, named: roomName)
        guard role(of: moderator, in: room) >= .moderator else { throw ChatError.notModerator(room.name) }
        if let target = lookup(targetName), target.rooms.contains(room.key) {
            try ban(id, target: target.name, in: room.name)
            return
        }
        // A pattern bars the names it fits from joining; those already in stay (as on IRC).
        let name = NamePattern.isPattern(targetName)
            ? try NamePattern.validate(targetName).get() : try NameRules.userName(targetName).get()
        if nameKey(name) == nameKey(moderator.name) { throw ChatError.cannotTargetSelf }
        let record = BanRecord(name: name, address: nil, bannedBy: moderator.name, time: clock())
        room.bans[nameKey(name)] = record
        storage.record(.banAdded(room: room.name, record))
        emit(ChatEvent(kind: .ban, room: room.name, sender: moderator.name, target: name, text: ChatEvent.banOfAbsentName,
                       time: clock()), to: room)
    }

    /// Makes `targetName`, online and in `roomName`, a moderator there: an
    /// account by `addModerator`'s rules; a guest, by any moderator of the
    /// room, for as long as that guest stays connected (as a guest who
    /// creates a room moderates it). IRC's MODE +o.
    public func addRoomModerator(by id: UserID, name targetName: String, in roomName: String) throws {
        let caller = try user(id)
        let room = try speakingRoom(of: caller, named: roomName)
        if room.key == nameKey(defaultRoom) { throw ChatError.defaultRoomUnmoderated(room.name) }
        guard let target = lookup(targetName) else { throw ChatError.noSuchUser(targetName.trimmingSpaces) }
        guard target.rooms.contains(room.key) else { throw ChatError.notInSameRoom(target.name) }
        if target.account != nil {
            _ = try switchRoom(id, to: room.name)
            _ = try addModerator(by: id, name: target.name)
            return
        }
        guard role(of: caller, in: room) >= .moderator else { throw ChatError.notModerator(room.name) }
        if room.guestModerators.contains(target.id) { throw ChatError.alreadyModerator(target.name) }
        room.guestModerators.insert(target.id)
        users[target.id]?.guestRooms.append(room.key)
        emit(ChatEvent(kind: .moderatorAdded, room: room.name, sender: caller.name, target: target.name, time: clock()),
             to: room)
    }

    /// Takes a guest's moderation of `roomName` away: the guest who created
    /// the room, its owner or an admin may, never a fellow guest moderator
    /// (moderators do not act against each other); an account's goes by
    /// `removeModerator`'s rules. IRC's MODE -o.
    public func removeRoomModerator(by id: UserID, name targetName: String, in roomName: String) throws {
        let caller = try user(id)
        let room = try speakingRoom(of: caller, named: roomName)
        guard let target = lookup(targetName) else { throw ChatError.noSuchUser(targetName.trimmingSpaces) }
        guard target.account == nil, room.guestModerators.contains(target.id) else {
            _ = try switchRoom(id, to: room.name)
            _ = try removeModerator(by: id, name: target.name)
            return
        }
        guard role(of: caller, in: room) >= .moderator else { throw ChatError.notModerator(room.name) }
        let mayRemove = caller.isAdmin || room.guestCreator == id || (caller.account != nil && room.owner == caller.account)
        guard mayRemove, target.id != room.guestCreator || caller.isAdmin else { throw ChatError.targetOutranks(target.name) }
        room.guestModerators.remove(target.id)
        users[target.id]?.guestRooms.removeAll { $0 == room.key }
        emit(ChatEvent(kind: .moderatorRemoved, room: room.name, sender: caller.name, target: target.name, time: clock()),
             to: room)
    }

    /// The endpoint of the online user called `name`, for a front end
    /// that keeps more about its own users (IRC's user and real names).
    public func endpoint(named name: String) -> (any ChatEndpoint)? { lookup(name)?.endpoint }

    /// True when the online user called `name` is a server admin.
    public func isAdmin(named name: String) -> Bool { lookup(name)?.isAdmin ?? false }

    /// The account the online user called `name` is identified as; nil for a guest.
    public func accountName(ofOnline name: String) -> String? {
        lookup(name)?.account.flatMap { accounts[$0]?.name }
    }

    func existingRoom(_ name: String) throws -> Room {
        let clean = try NameRules.roomName(name).get()
        guard let room = rooms[nameKey(clean)] else { throw ChatError.noSuchRoom(clean) }
        return room
    }
}
