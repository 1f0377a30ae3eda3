import Foundation

/// Being in several rooms: joining, leaving, switching the current room,
/// topics. A user is a member of any number of rooms (up to
/// `limits.perUser`), and one of them, or none, is their current room,
/// where plain lines go.
extension Chat {
    /// Joins `requested`, creating it when it does not exist (owned by the
    /// user's account, or for a guest moderated by this connection only),
    /// and makes it the current room. The rooms joined before stay joined.
    /// Returns the room's name, what happened, and its topic.
    @discardableResult
    public func join(_ id: UserID, room requested: String) throws -> (room: String, outcome: JoinOutcome, topic: TopicRecord?) {
        let user = try self.user(id)
        let name = try NameRules.roomName(requested).get()
        let key = nameKey(name)
        if user.rooms.contains(key) {
            let room = room(key: key)
            if user.current == key { throw ChatError.alreadyInRoom(room.name) }
            setCurrent(id, to: key)
            return (room.name, .switched, room.topic)
        }
        if user.rooms.count >= limits.perUser { throw ChatError.tooManyRooms(max: limits.perUser) }
        let outcome: JoinOutcome
        let target: Room
        if let existing = rooms[key] {
            if isBarred(user, from: existing) { throw ChatError.bannedFromRoom(existing.name) }
            target = existing
            outcome = .joined
        } else {
            if rooms.count >= limits.total { throw ChatError.roomLimitReached(max: limits.total) }
            guard user.isAdmin || roomsCreated.allow(user.address, now: clock().timeIntervalSince1970) else {
                throw ChatError.tooManyRoomsCreated(perHour: limits.createdPerHour)
            }
            let record = RoomRecord(name: name, createdBy: user.name, createdAt: clock(), owner: user.account)
            target = Room(record: record)
            if user.account == nil {
                target.guestModerators.insert(id)
                target.guestCreator = id
                users[id]?.guestRooms.append(key)
            }
            rooms[key] = target
            storage.record(.roomCreated(record))
            outcome = .created
        }
        users[id]?.rooms.append(key)
        target.add(id, endpoint: user.endpoint)
        emit(ChatEvent(kind: .join, room: target.name, sender: user.name, time: clock()), to: target)
        setCurrent(id, to: key)
        return (target.name, outcome, target.topic)
    }

    /// Leaves `requested` (by default the current room); the room is told
    /// (the leaver too). The current room becomes the one joined last of
    /// those left, or none. Returns the room left and the current one.
    @discardableResult
    public func part(_ id: UserID, room requested: String?, reason: String? = nil) throws -> (left: String, current: String?) {
        let user = try self.user(id)
        let room = try speakingRoom(of: user, named: requested)
        let reason = reason.flatMap { try? NameRules.messageText($0).get() }
        emit(ChatEvent(kind: .leave, room: room.name, sender: user.name, text: reason, time: clock()), to: room)
        room.remove(id)
        users[id]?.rooms.removeAll { $0 == room.key }
        if user.current == room.key { setCurrent(id, to: users[id]?.rooms.last) }
        return (room.name, roomName(of: id))
    }

    /// Makes `requested`, a room the user is in, their current room. Nobody
    /// else is told.
    @discardableResult
    public func switchRoom(_ id: UserID, to requested: String) throws -> String {
        let user = try self.user(id)
        let room = try speakingRoom(of: user, named: requested)
        setCurrent(id, to: room.key)
        return room.name
    }

    /// Sets (or with nil clears) the topic of the current room (or of
    /// `roomName`, one the user is in); its moderators and admins only.
    /// The room is told.
    public func setTopic(_ id: UserID, _ text: String?, in roomName: String? = nil) throws {
        let user = try self.user(id)
        let room = try speakingRoom(of: user, named: roomName)
        guard room.settings.openTopic || role(of: user, in: room) >= .moderator else { throw ChatError.notModerator(room.name) }
        var topic: TopicRecord?
        if let text {
            let clean = try NameRules.messageText(text).get()
            if clean.count > RoomLimits.maxTopicLength { throw ChatError.topicTooLong(max: RoomLimits.maxTopicLength) }
            topic = TopicRecord(text: clean, setBy: user.name, time: clock())
        }
        room.topic = topic
        storage.record(.topicChanged(room: room.name, topic))
        emit(ChatEvent(kind: .topic, room: room.name, sender: user.name, text: topic?.text, time: clock()), to: room)
    }

    /// Changes the settings of `roomName` (one the caller is in; nil: the
    /// current room), as its moderators may; the room is told what
    /// changed, and nothing when nothing did. Returns the settings now.
    @discardableResult
    public func changeSettings(by id: UserID, in roomName: String? = nil, _ change: RoomSettingsChange) throws -> RoomSettings {
        let user = try self.user(id)
        let room = try speakingRoom(of: user, named: roomName)
        guard role(of: user, in: room) >= .moderator else { throw ChatError.notModerator(room.name) }
        var applied = RoomSettingsChange()
        if let secret = change.secret, secret != room.settings.secret { applied.secret = secret }
        if let open = change.openTopic, open != room.settings.openTopic { applied.openTopic = open }
        if let raw = change.exceptionAdded {
            let pattern = try NamePattern.validate(raw).get()
            if !room.settings.exceptions.contains(where: { nameKey($0) == nameKey(pattern) }) {
                guard room.settings.exceptions.count < NamePattern.maxExceptions else {
                    throw ChatError.badRequest("#\(room.name) já tem \(NamePattern.maxExceptions) isenções: retire uma antes")
                }
                applied.exceptionAdded = pattern
            }
        }
        if let raw = change.exceptionRemoved {
            let key = nameKey(raw.trimmingSpaces)
            guard let pattern = room.settings.exceptions.first(where: { nameKey($0) == key }) else {
                throw ChatError.badRequest("\(raw.trimmingSpaces) não está entre as isenções de #\(room.name)")
            }
            applied.exceptionRemoved = pattern
        }
        guard applied != RoomSettingsChange() else { return room.settings }
        room.settings.secret = applied.secret ?? room.settings.secret
        room.settings.openTopic = applied.openTopic ?? room.settings.openTopic
        if let added = applied.exceptionAdded { room.settings.exceptions.append(added) }
        if let removed = applied.exceptionRemoved { room.settings.exceptions.removeAll { $0 == removed } }
        storage.record(.roomSettingsChanged(room: room.name, room.settings))
        var event = ChatEvent(kind: .settings, room: room.name, sender: user.name, time: clock())
        event.settingsChange = applied
        emit(event, to: room)
        return room.settings
    }

    /// The settings of the room `name`, and whether the user `id` is in it.
    public func settings(ofRoom name: String, for id: UserID) throws -> (room: String, settings: RoomSettings, member: Bool) {
        let clean = try NameRules.roomName(name).get()
        guard let room = rooms[nameKey(clean)] else { throw ChatError.noSuchRoom(clean) }
        return (room.name, room.settings, users[id]?.rooms.contains(room.key) ?? false)
    }

    /// The topic of the user's current room (nil: none, or no room).
    public func topic(of id: UserID) throws -> (room: String, topic: TopicRecord?) {
        let room = try currentRoom(of: try user(id))
        return (room.name, room.topic)
    }

    /// The members of the room `name`, in arrival order, with their role there.
    public func members(ofRoom name: String) throws -> (room: String, members: [MemberSummary]) {
        let clean = try NameRules.roomName(name).get()
        guard let room = rooms[nameKey(clean)] else { throw ChatError.noSuchRoom(clean) }
        let members = room.memberIDs.compactMap { users[$0] }.map { MemberSummary(name: $0.name, role: role(of: $0, in: room)) }
        return (room.name, members)
    }

    /// The user's role in the room `name` (one they speak in through `/em`).
    public func role(of id: UserID, inRoom name: String) -> Role {
        guard let user = users[id], let room = rooms[nameKey(name)] else { return .user }
        return role(of: user, in: room)
    }

    /// The name of the room a line from the user goes to: `name` if they
    /// are in it, else their current room; throws when there is none.
    public func speakingRoomName(of id: UserID, named name: String?) throws -> String {
        try speakingRoom(of: try user(id), named: name).name
    }

    // MARK: Internals

    /// The room `name` if the user is in it, or their current room.
    func speakingRoom(of user: ChatUser, named name: String?) throws -> Room {
        guard let name else { return try currentRoom(of: user) }
        let clean = try NameRules.roomName(name).get()
        guard user.rooms.contains(nameKey(clean)), let room = rooms[nameKey(clean)] else {
            if let room = rooms[nameKey(clean)], isBarred(user, from: room) { throw ChatError.bannedFromRoom(room.name) }
            throw ChatError.notMember(clean)
        }
        return room
    }

    /// True when a ban keeps `user` out of `room`: by name, address or
    /// account (`Room.isBanned`), or on this very connection, unless an
    /// exception of the room fits the name.
    func isBarred(_ user: ChatUser, from room: Room) -> Bool {
        if room.settings.isExcepted(nameKey(user.name)) { return false }
        return user.bannedRooms[room.key] != nil
            || room.isBanned(nameKey: nameKey(user.name), address: user.address, account: user.account)
    }

    func currentRoom(of user: ChatUser) throws -> Room {
        guard let key = user.current, let room = rooms[key] else { throw ChatError.noRoom }
        return room
    }

    /// Changes the user's current room and tells them (only them: a
    /// `current` event, which plain text does not show).
    func setCurrent(_ id: UserID, to key: String?) {
        guard var user = users[id], user.current != key else { return }
        user.current = key
        users[id] = user
        let event = ChatEvent(kind: .current, room: key.flatMap { rooms[$0]?.name }, sender: user.name, time: clock())
        outbox.deliver(.event(event), to: [user.endpoint])
    }

    /// Tells everyone in the user's rooms, once each, that they renamed;
    /// the bots hear of it once.
    func emitRename(of user: ChatUser, from oldName: String) {
        let joined = user.rooms.compactMap { rooms[$0] }
        let newName = users[user.id]?.name ?? user.name
        guard !joined.isEmpty else {
            // In no room: only the user hears of it (their client follows its own name).
            let event = ChatEvent(kind: .rename, sender: oldName, target: newName, time: clock())
            outbox.deliver(.event(event), to: [user.endpoint])
            return
        }
        emitOnce(to: joined, observeEach: false) { room in
            ChatEvent(kind: .rename, room: room.name, sender: oldName, target: newName, time: self.clock())
        }
    }

    /// Delivers one event per room, but each recipient gets it only once
    /// (labelled with the first room they share), so someone in three of
    /// the user's rooms sees one line. One room takes the usual path, its
    /// shared audience. `observeEach`: the bots hear of every room's event,
    /// or only the first.
    func emitOnce(to joined: [Room], observeEach: Bool, _ event: (Room) -> ChatEvent) {
        guard joined.count > 1 else {
            if let room = joined.first { emit(event(room), to: room) }
            return
        }
        var reached = Set<ObjectIdentifier>()
        for (index, room) in joined.enumerated() {
            let made = event(room)
            let fresh = room.audience.endpoints.filter { reached.insert(ObjectIdentifier($0)).inserted }
            if !fresh.isEmpty { outbox.deliver(.event(made), to: fresh) }
            if observeEach || index == 0 { observer?(made) }
        }
    }
}
