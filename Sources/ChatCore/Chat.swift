import Foundation

/// The chat itself: users, names, rooms, moderators, bans, messages, history
/// and stats. It is not thread-safe: exactly one owner drives it (the bot
/// engine's `ChatEngine` serialises every call). It knows nothing of sockets,
/// bytes or Lua; everything it says leaves through the `Outbox`.
public final class Chat {
    public let defaultRoom: String
    public let storage: any ChatStorage
    public let outbox: any Outbox
    public let startedAt: Date
    let clock: () -> Date

    var users: [UserID: ChatUser] = [:]
    var idsByName: [String: UserID] = [:]
    /// Online users by the skeleton of their name (see Confusables.swift).
    var idsBySkeleton: [String: UserID] = [:]
    var rooms: [String: Room] = [:]
    /// Registered accounts by id, with indexes by name key and skeleton
    /// (Chat+Accounts.swift), and the connection each is online on.
    var accounts: [String: AccountRecord] = [:]
    var accountIDsByKey: [String: String] = [:]
    var accountIDsBySkeleton: [String: String] = [:]
    var onlineByAccount: [String: UserID] = [:]
    /// Caps on rooms per user, in all, and created per address.
    public let limits: RoomLimits
    var roomsCreated: HourlyBudget
    private var nextID: UInt64 = 1
    private var totalMessages: Int
    private var messagesByUser: [String: (name: String, count: Int)]
    private var firstMessageAt: Date?

    /// Loads accounts, rooms, bans and counters from `storage`, and makes sure the
    /// default room exists.
    public init(storage: any ChatStorage, outbox: any Outbox, defaultRoom: String = "geral",
                limits: RoomLimits = RoomLimits(), clock: @escaping () -> Date = Date.init) throws {
        self.storage = storage
        self.limits = limits
        self.roomsCreated = HourlyBudget(perHour: limits.createdPerHour)
        self.outbox = outbox
        self.defaultRoom = defaultRoom
        self.clock = clock
        self.startedAt = clock()
        let state = try storage.load()
        totalMessages = state.totalMessages
        firstMessageAt = state.firstMessageAt
        var counts: [String: (name: String, count: Int)] = [:]
        for (name, count) in state.messagesByUser {
            let key = nameKey(name)
            counts[key] = (name, (counts[key]?.count ?? 0) + count)
        }
        messagesByUser = counts
        for account in state.accounts { add(account) }
        for record in state.rooms {
            rooms[nameKey(record.name)] = Room(record: record)
        }
        if rooms[nameKey(defaultRoom)] == nil {
            let record = RoomRecord(name: defaultRoom, createdBy: nil, createdAt: startedAt)
            rooms[nameKey(defaultRoom)] = Room(record: record)
            storage.record(.roomCreated(record))
        }
    }

    public var now: Date { clock() }

    /// Sees every room event after it is delivered (the bot engine's event
    /// hooks). Called by the owner, during the operation that caused it.
    public var observer: ((ChatEvent) -> Void)?

    // MARK: Connecting

    /// Admits a new user named `requestedName` into the default room: a
    /// guest, or with `login` (a checked password) the account of that
    /// name. A registered name without its login is refused with
    /// `passwordRequired`. An account already online elsewhere is taken
    /// over: the old connection is told and closed. With `inLobby` false
    /// (IRC, where a user starts in no channel) the user enters no room and
    /// nobody is told; such a user also stays in no room when a kick or ban
    /// takes away their last one.
    public func connect(name requestedName: String, endpoint: any ChatEndpoint, address: String?,
                        login: VerifiedLogin? = nil, inLobby: Bool = true) throws -> Welcome {
        var name = try NameRules.userName(requestedName).get()
        let lobby = room(defaultRoom)
        var account: AccountRecord?
        if let registered = self.account(named: name) {
            guard let login else { throw ChatError.passwordRequired(registered.name) }
            guard login.accountID == registered.id, login.credential == registered.credential else {
                throw ChatError.wrongPassword
            }
            if inLobby, lobby.isBanned(nameKey: nameKey(registered.name), address: address, account: registered.id) {
                throw ChatError.bannedFromRoom(lobby.name)
            }
            if let other = onlineByAccount[registered.id] { replaceSession(other) }
            account = registered
            name = registered.name
        } else {
            try checkNotRegistered(name, except: nil)
        }
        let key = nameKey(name)
        if idsByName[key] != nil { throw ChatError.nameTaken(name) }
        try checkLookalike(name, for: nil)
        if inLobby, lobby.isBanned(nameKey: key, address: address, account: account?.id) {
            throw ChatError.bannedFromRoom(lobby.name)
        }
        let id = UserID(nextID)
        nextID += 1
        var user = ChatUser(id: id, name: name, rooms: inLobby ? [lobby.key] : [], current: inLobby ? lobby.key : nil,
                            endpoint: endpoint, address: address, session: Self.newSessionToken(), connectedAt: clock())
        user.needsARoom = inLobby
        if let account {
            user.account = account.id
            user.accountAdmin = account.isAdmin
            onlineByAccount[account.id] = id
        }
        users[id] = user
        idsByName[key] = id
        idsBySkeleton[NameRules.skeleton(name)] = id
        if inLobby {
            // The others hear of the newcomer; the newcomer gets a welcome from the front end.
            emit(ChatEvent(kind: .connect, room: lobby.name, sender: name, time: clock()), to: lobby)
            lobby.add(id, endpoint: endpoint)
        }
        if let account { observeIdentify(name, account: account.id) }
        return Welcome(id: id, name: name, room: inLobby ? lobby.name : "", account: account?.name)
    }

    /// Removes a user who left or whose connection ended. Safe to call
    /// twice. Everyone who shared a room with them is told once; the bots
    /// hear of it in every room.
    public func disconnect(_ id: UserID, reason: String? = nil) {
        guard let user = users[id] else { return }
        forget(user)
        let joined = user.rooms.compactMap { rooms[$0] }
        for room in joined { room.remove(id) }
        emitOnce(to: joined, observeEach: true) { room in
            ChatEvent(kind: .disconnect, room: room.name, sender: user.name, text: reason, time: self.clock())
        }
    }

    /// Tells everyone the server is stopping.
    public func announceShutdown() {
        let endpoints = users.values.map(\.endpoint)
        outbox.deliver(.event(ChatEvent(kind: .shutdown, time: clock())), to: endpoints)
    }

    // MARK: Talking

    /// Says `text` in the room named `roomName`, which the user is in, or
    /// by default in their current room; as a notice when `notice`.
    public func say(_ id: UserID, _ text: String, in roomName: String? = nil, notice: Bool = false) throws {
        let user = try self.user(id)
        let room = try speakingRoom(of: user, named: roomName)
        let text = try NameRules.messageText(text).get()
        let time = clock()
        users[id]?.lastSpokeAt = time
        // Recorded first: a durable outbox holds the delivery until this is written.
        count(message: StoredMessage(kind: .public, room: room.name, sender: user.name, text: text, time: time))
        var event = ChatEvent(kind: .message, room: room.name, sender: user.name, text: text, time: time)
        event.senderAccount = user.account
        event.notice = notice
        emit(event, to: room)
    }

    /// The name bot messages are said under; reserved, so no user can take it.
    public static let botName = "papo"

    /// Says `text` as the bot in the room `id` is in. Kept in history, not
    /// counted in anyone's stats.
    public func botSay(inRoomOf id: UserID, _ text: String) throws {
        let user = try self.user(id)
        try botSay(inRoom: speakingRoom(of: user, named: nil).name, text)
    }

    /// The room named `roomName`, where the bot may speak, or the error
    /// `botSay(inRoom:)` would throw.
    func roomForBot(_ roomName: String) throws -> Room {
        // "": the call's caller is in no room.
        if roomName.isEmpty { throw ChatError.noRoom }
        let clean = try NameRules.roomName(roomName).get()
        guard let room = rooms[nameKey(clean)] else { throw ChatError.noSuchRoom(clean) }
        return room
    }

    /// Throws what `botSay(inRoom:)` would for `roomName`, saying nothing.
    public func checkBotCanSay(inRoom roomName: String) throws {
        _ = try roomForBot(roomName)
    }

    /// Says `text` as the bot in the room named `roomName`.
    public func botSay(inRoom roomName: String, _ text: String) throws {
        let room = try roomForBot(roomName)
        let text = try NameRules.messageText(text).get()
        let time = clock()
        storage.record(.message(StoredMessage(kind: .public, room: room.name, sender: Self.botName, text: text,
                                              time: time)))
        emit(ChatEvent(kind: .message, room: room.name, sender: Self.botName, text: text, time: time), to: room)
    }

    /// The name, as spelt, of the connected user called `name` (any case); nil if nobody is.
    public func onlineName(_ name: String) -> String? { lookup(name)?.name }

    /// The name, as spelt, of the room called `name` (with or without `#`); nil if there is none.
    public func existingRoomName(_ name: String) -> String? { try? roomForBot(name).name }

    /// Sends `text` from the bot to `recipientName` only. Not kept in
    /// history: bot whispers are answers, and have no session to show them to.
    public func botWhisper(to recipientName: String, _ text: String) throws {
        guard let recipient = lookup(recipientName) else { throw ChatError.noSuchUser(recipientName) }
        let text = try NameRules.messageText(text).get()
        let event = ChatEvent(kind: .privateMessage, sender: Self.botName, target: recipient.name, text: text,
                              time: clock())
        outbox.deliver(.event(event), to: [recipient.endpoint])
    }

    /// Sends `text` to `recipientName` only (and echoes it to the sender).
    public func whisper(_ id: UserID, to recipientName: String, _ text: String) throws {
        let sender = try self.user(id)
        guard let recipient = lookup(recipientName) else { throw ChatError.noSuchUser(recipientName) }
        if recipient.id == id { throw ChatError.cannotTargetSelf }
        let text = try NameRules.messageText(text).get()
        let time = clock()
        let event = ChatEvent(kind: .privateMessage, room: nil, sender: sender.name, target: recipient.name,
                              text: text, time: time)
        count(message: StoredMessage(kind: .private, room: sender.current.map { room(key: $0).name } ?? "",
                                     sender: sender.name,
                                     recipient: recipient.name, text: text, time: time,
                                     senderSession: sender.session, recipientSession: recipient.session,
                                     senderAccount: sender.account, recipientAccount: recipient.account))
        outbox.deliver(.event(event), to: [sender.endpoint, recipient.endpoint])
    }

    // MARK: Names and rooms

    /// Renames a guest; names stay unique case-insensitively, and nobody
    /// takes a registered name. An identified user keeps the account's name.
    public func rename(_ id: UserID, to requested: String) throws {
        var user = try self.user(id)
        let newName = try NameRules.userName(requested).get()
        if newName == user.name { throw ChatError.sameName }
        if user.account != nil { throw ChatError.nameIsAccount(user.name) }
        let newKey = nameKey(newName)
        if let holder = idsByName[newKey], holder != id { throw ChatError.nameTaken(newName) }
        try checkNotRegistered(newName, except: nil)
        try checkLookalike(newName, for: id)
        let oldName = user.name
        idsByName.removeValue(forKey: nameKey(oldName))
        idsByName[newKey] = id
        idsBySkeleton.removeValue(forKey: NameRules.skeleton(oldName))
        idsBySkeleton[NameRules.skeleton(newName)] = id
        user.name = newName
        users[id] = user
        // A guest's moderator rights are its connection's, so they need no renaming.
        emitRename(of: user, from: oldName)
    }

    // MARK: Moderation

    /// Removes `targetName` from the caller's current room, or from
    /// `roomName`, one the caller is in (that room only; see `remove`).
    /// They may come back.
    /// `reason`, if any, goes with the event (IRC shows it). Guest
    /// moderators of a room (the guest who made it and those it named, as
    /// on IRC) may kick each other: they can come back, and the creator
    /// keeps its rights; bans and moderation stay ranked.
    public func kick(_ id: UserID, target targetName: String, in roomName: String? = nil, reason: String? = nil) throws {
        let (moderator, target, room) = try moderation(by: id, of: targetName, in: roomName, guestPeersMay: true)
        let reason = try reason.map { try NameRules.messageText($0).get() }
        emit(ChatEvent(kind: .kick, room: room.name, sender: moderator.name, target: target.name, text: reason,
                       time: clock()), to: room)
        remove(target, from: room)
    }

    /// Removes `targetName` from the caller's current room and bars them
    /// from it, by name, by this connection (so a rename does not help), by
    /// account and by address. `roomName` as for `kick`.
    public func ban(_ id: UserID, target targetName: String, in roomName: String? = nil) throws {
        let (moderator, target, room) = try moderation(by: id, of: targetName, in: roomName)
        let record = BanRecord(name: target.name, address: target.address, account: target.account,
                               bannedBy: moderator.name, time: clock())
        room.bans[nameKey(target.name)] = record
        users[target.id]?.bannedRooms[room.key] = nameKey(target.name)
        storage.record(.banAdded(room: room.name, record))
        emit(ChatEvent(kind: .ban, room: room.name, sender: moderator.name, target: target.name, time: clock()), to: room)
        remove(target, from: room)
    }

    /// Lifts the ban on `targetName` in the caller's room (or `roomName`, one they are in).
    public func unban(_ id: UserID, target targetName: String, in roomName: String? = nil) throws {
        let moderator = try self.user(id)
        let room = try speakingRoom(of: moderator, named: roomName)
        guard role(of: moderator, in: room) >= .moderator else { throw ChatError.notModerator(room.name) }
        let key = nameKey(targetName.trimmingSpaces)
        guard let record = room.bans.removeValue(forKey: key) else { throw ChatError.notBanned(targetName) }
        for (uid, var user) in users where user.bannedRooms[room.key] == key {
            user.bannedRooms.removeValue(forKey: room.key)
            users[uid] = user
        }
        storage.record(.banRemoved(room: room.name, name: record.name))
        emit(ChatEvent(kind: .unban, room: room.name, sender: moderator.name, target: record.name, time: clock()), to: room)
    }

    /// Makes the user a server admin (the caller checked the password).
    public func grantAdmin(_ id: UserID) throws {
        var user = try self.user(id)
        if user.isAdmin { throw ChatError.alreadyAdmin }
        user.sharedAdmin = true
        users[id] = user
        if let key = user.current, let room = rooms[key] {
            emit(ChatEvent(kind: .admin, room: room.name, sender: user.name, time: clock()), to: room)
        }
    }

    /// Ends the user's session at their own request.
    public func quit(_ id: UserID, reason: String? = nil) {
        guard let endpoint = users[id]?.endpoint else { return }
        disconnect(id, reason: reason)
        outbox.disconnect(endpoint)
    }

    // MARK: Reading

    /// The user's role in their current room (in none: admin or user).
    public func role(of id: UserID) -> Role {
        guard let user = users[id] else { return .user }
        guard let key = user.current, let room = rooms[key] else { return user.isAdmin ? .admin : .user }
        return role(of: user, in: room)
    }

    public func name(of id: UserID) -> String? { users[id]?.name }

    /// The name of the user's current room; nil when they are in none.
    public func roomName(of id: UserID) -> String? { users[id]?.current.flatMap { rooms[$0]?.name } }

    /// The names of the rooms the user is in, oldest joined first.
    public func roomNames(of id: UserID) -> [String] { users[id]?.rooms.compactMap { rooms[$0]?.name } ?? [] }

    public func endpoint(of id: UserID) -> (any ChatEndpoint)? { users[id]?.endpoint }

    /// The network address the user connected from, if the front end gave one.
    public func address(of id: UserID) -> String? { users[id]?.address }

    /// True when the user is a server admin.
    public func isAdmin(_ id: UserID) -> Bool { users[id]?.isAdmin ?? false }

    /// Connected users, sorted by name.
    public func connectedUsers() -> [UserSummary] {
        users.values.map { user in
            let joined = user.rooms.compactMap { rooms[$0] }
            let current = user.current.flatMap { rooms[$0] }
            return UserSummary(name: user.name, room: current?.name ?? "", rooms: joined.map(\.name),
                               role: current.map { role(of: user, in: $0) } ?? (user.isAdmin ? .admin : .user),
                               moderates: user.isAdmin ? [] : joined.filter { role(of: user, in: $0) == .moderator }.map(\.name),
                               connectedAt: user.connectedAt, lastSpokeAt: user.lastSpokeAt)
        }.sorted { nameKey($0.name) < nameKey($1.name) }
    }

    /// Every room, default room first, then by name.
    /// With `viewer`, secret rooms they are not in are left out (an admin sees all).
    public func roomList(for viewer: UserID? = nil) -> [RoomSummary] {
        let seer = viewer.flatMap { users[$0] }
        return rooms.values.filter { room in
            guard room.settings.secret, let viewer else { return true }
            return seer?.isAdmin == true || seer?.rooms.contains(room.key) == true
        }.sorted { lhs, rhs in
            if lhs.key == nameKey(defaultRoom) { return true }
            if rhs.key == nameKey(defaultRoom) { return false }
            return lhs.key < rhs.key
        }.map { room in
            RoomSummary(name: room.name, memberCount: room.memberCount,
                        moderators: room.key == nameKey(defaultRoom) ? [] : moderatorNames(of: room),
                        topic: room.topic?.text, secret: room.settings.secret)
        }
    }

    /// Names of the users in `id`'s current room.
    public func roomMembers(of id: UserID) -> [String] {
        guard let key = users[id]?.current, let room = rooms[key] else { return [] }
        return room.memberIDs.compactMap { users[$0]?.name }
    }

    public func stats(top: Int = 5) -> ChatStats {
        let ranked = messagesByUser.values.sorted {
            $0.count != $1.count ? $0.count > $1.count : nameKey($0.name) < nameKey($1.name)
        }
        return ChatStats(totalMessages: totalMessages, startedAt: startedAt, firstMessageAt: firstMessageAt,
                         connectedUsers: users.count, rooms: rooms.count,
                         topUsers: ranked.prefix(top).map { (name: $0.name, messages: $0.count) })
    }

    /// Fetches the last `limit` messages of `roomName` (a room the user is
    /// in; by default the current one; none when they are in no room) plus
    /// their private ones (this connection's, and their account's if
    /// identified). Returns the room's name; `completion` may run later,
    /// on another thread.
    @discardableResult
    public func history(_ id: UserID, room roomName: String? = nil, limit: Int,
                        completion: @escaping @Sendable ([StoredMessage]) -> Void) throws -> String? {
        let user = try self.user(id)
        let room = roomName == nil && user.current == nil ? nil : try speakingRoom(of: user, named: roomName)
        storage.history(room: room?.name ?? "", viewer: HistoryViewer(session: user.session, account: user.account),
                        limit: limit, completion: completion)
        return room?.name
    }

    // MARK: Internals

    func user(_ id: UserID) throws -> ChatUser {
        guard let user = users[id] else { throw ChatError.notConnected }
        return user
    }

    /// Refuses `name` if it looks like the name of another online user.
    private func checkLookalike(_ name: String, for id: UserID?) throws {
        if let holder = idsBySkeleton[NameRules.skeleton(name)], holder != id, let other = users[holder] {
            throw ChatError.nameLookalike(name, like: other.name)
        }
    }

    func lookup(_ name: String) -> ChatUser? {
        idsByName[nameKey(name.trimmingSpaces)].flatMap { users[$0] }
    }

    func room(key: String) -> Room {
        rooms[key]!
    }

    func room(_ name: String) -> Room {
        rooms[nameKey(name)]!
    }

    /// Admins everywhere; in other rooms than the default one, the owner,
    /// the accounts named moderators, and the guest connection that created it.
    func role(of user: ChatUser, in room: Room) -> Role {
        if user.isAdmin { return .admin }
        guard room.key != nameKey(defaultRoom) else { return .user }
        if room.isModerator(account: user.account) || room.guestModerators.contains(user.id) { return .moderator }
        return .user
    }

    /// Checks that `id` may moderate `targetName` in the caller's current
    /// room (or `roomName`, one they are in).
    private func moderation(by id: UserID, of targetName: String, in roomName: String?,
                            guestPeersMay: Bool = false) throws -> (ChatUser, ChatUser, Room) {
        let moderator = try user(id)
        let room = try speakingRoom(of: moderator, named: roomName)
        let callerRole = role(of: moderator, in: room)
        guard callerRole >= .moderator else { throw ChatError.notModerator(room.name) }
        guard let target = lookup(targetName) else { throw ChatError.noSuchUser(targetName.trimmingSpaces) }
        if target.id == id { throw ChatError.cannotTargetSelf }
        guard target.rooms.contains(room.key) else { throw ChatError.notInSameRoom(target.name) }
        let guestPeers = guestPeersMay && room.guestModerators.contains(id) && room.guestModerators.contains(target.id)
            && !room.isModerator(account: target.account) && !target.isAdmin
        if role(of: target, in: room) >= callerRole && !guestPeers { throw ChatError.targetOutranks(target.name) }
        return (moderator, target, room)
    }

    /// Takes `user` out of `room` after a kick or ban, and out of that room
    /// only. Someone left in no room at all goes back to the default room
    /// (a `join` there), or off the server when `room` is the default room
    /// or it bans them: nowhere to go, as before there were several rooms.
    func remove(_ user: ChatUser, from room: Room) {
        room.remove(user.id)
        // Re-read: the caller may have just changed the user (a ban).
        guard var left = users[user.id] else { return }
        left.rooms.removeAll { $0 == room.key }
        let lobby = self.room(defaultRoom)
        if left.rooms.isEmpty && left.needsARoom {
            if room.key == lobby.key || isBarred(left, from: lobby) {
                forget(left)
                outbox.disconnect(left.endpoint)
                return
            }
            left.rooms = [lobby.key]
            users[user.id] = left
            lobby.add(user.id, endpoint: left.endpoint)
            emit(ChatEvent(kind: .join, room: lobby.name, sender: left.name, time: clock()), to: lobby)
        } else {
            users[user.id] = left
        }
        if left.current == room.key { setCurrent(user.id, to: left.rooms.last) }
    }

    /// Takes a user who is leaving the server out of every index. Their
    /// guest moderator rights end with them.
    private func forget(_ user: ChatUser) {
        users.removeValue(forKey: user.id)
        idsByName.removeValue(forKey: nameKey(user.name))
        idsBySkeleton.removeValue(forKey: NameRules.skeleton(user.name))
        if let account = user.account, onlineByAccount[account] == user.id { onlineByAccount.removeValue(forKey: account) }
        for key in user.guestRooms {
            rooms[key]?.guestModerators.remove(user.id)
            if rooms[key]?.guestCreator == user.id { rooms[key]?.guestCreator = nil }
        }
    }

    /// Tells the observer (the bot engine) that `name` is now `account`.
    func observeIdentify(_ name: String, account: String) {
        var event = ChatEvent(kind: .identify, sender: name, time: clock())
        event.senderAccount = account
        observer?(event)
    }

    func emit(_ event: ChatEvent, to room: Room) {
        outbox.deliver(.event(event), to: room.audience)
        observer?(event)
    }

    private func count(message: StoredMessage) {
        totalMessages += 1
        if firstMessageAt == nil { firstMessageAt = message.time }
        let key = nameKey(message.sender)
        messagesByUser[key] = (message.sender, (messagesByUser[key]?.count ?? 0) + 1)
        storage.record(.message(message))
    }

    private static func newSessionToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }
}
