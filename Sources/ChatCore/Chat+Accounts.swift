import Foundation

/// Accounts: registering the name one holds, identifying, changing a
/// password, an admin dropping an account. Passwords never come here: the
/// bot engine checks them off the chat's lock and hands over a
/// `VerifiedLogin` (or a new hash).
extension Chat {
    /// The account registered under `name` (any case), if any.
    public func account(named name: String) -> AccountRecord? {
        accountIDsByKey[nameKey(name.trimmingSpaces)].flatMap { accounts[$0] }
    }

    /// The account the user is identified as; nil for a guest.
    public func account(of id: UserID) -> AccountRecord? {
        users[id]?.account.flatMap { accounts[$0] }
    }

    /// True when some account holds admin rights (then the shared `/admin`
    /// password, a bootstrap, is no longer accepted).
    public var hasAdminAccounts: Bool { accounts.values.contains(where: \.isAdmin) }

    /// Refuses `name` to anyone not identified as its account: the name is
    /// registered, or looks like a registered name (by skeleton).
    func checkNotRegistered(_ name: String, except accountID: String?) throws {
        if let id = accountIDsByKey[nameKey(name)] ?? accountIDsBySkeleton[NameRules.skeleton(name)],
           id != accountID, let account = accounts[id] {
            throw ChatError.nameRegistered(name, like: nameKey(account.name) == nameKey(name) ? nil : account.name)
        }
    }

    /// Throws why the caller may not register the name they hold, if they may not.
    public func checkCanRegister(_ id: UserID) throws {
        let user = try self.user(id)
        if let account = account(of: id) { throw ChatError.alreadyIdentified(account.name) }
        _ = try NameRules.userName(user.name).get()
        try checkNotRegistered(user.name, except: nil)
    }

    /// Registers the caller's current name as an account with `credential`
    /// (already hashed). Rooms the caller moderates as a guest become the
    /// account's, and so does the SSH key the connection came in with.
    @discardableResult
    public func register(_ id: UserID, credential: String) throws -> AccountRecord {
        try checkCanRegister(id)
        var user = try self.user(id)
        let account = AccountRecord(name: user.name, credential: credential, createdAt: clock(),
                                    keys: user.offeredKey.map { [$0] } ?? [])
        add(account)
        storage.record(.accountSaved(account))
        let guestRooms = user.guestRooms
        user.account = account.id
        user.guestRooms = []
        users[id] = user
        onlineByAccount[account.id] = id
        // Rooms still moderated by this guest and by nobody else become the account's.
        for key in guestRooms {
            guard let room = rooms[key], room.guestModerators.remove(id) != nil, room.owner == nil else { continue }
            room.owner = account.id
            storage.record(.roomOwnerChanged(room: room.name, owner: account.id))
        }
        observeIdentify(account.name, account: account.id)
        return account
    }

    /// Makes the caller the account `login` proves. The caller takes the
    /// account's name (the room sees a rename); a connection that was that
    /// account is told and closed. Returns the account's name.
    @discardableResult
    public func identify(_ id: UserID, login: VerifiedLogin) throws -> String {
        var user = try self.user(id)
        guard let account = accounts[login.accountID], account.credential == login.credential else {
            throw ChatError.wrongPassword
        }
        if user.account == account.id { throw ChatError.alreadyIdentified(account.name) }
        let lobby = room(defaultRoom)
        if lobby.isBanned(nameKey: nameKey(account.name), address: nil, account: account.id) {
            throw ChatError.bannedFromRoom(lobby.name)
        }
        if let holder = idsByName[nameKey(account.name)], holder != id, holder != onlineByAccount[account.id] {
            // A guest holds the name (it was registered while they were away).
            throw ChatError.nameTaken(account.name)
        }
        if let other = onlineByAccount[account.id], other != id { replaceSession(other) }
        if let previous = user.account { onlineByAccount.removeValue(forKey: previous) }
        let oldName = user.name
        if oldName != account.name {
            idsByName.removeValue(forKey: nameKey(oldName))
            idsBySkeleton.removeValue(forKey: NameRules.skeleton(oldName))
            idsByName[nameKey(account.name)] = id
            idsBySkeleton[NameRules.skeleton(account.name)] = id
            user.name = account.name
        }
        user.account = account.id
        // The rights are the new account's (plus any from `/admin`), not the old one's.
        let becameAdmin = account.isAdmin && !user.isAdmin
        user.accountAdmin = account.isAdmin
        users[id] = user
        onlineByAccount[account.id] = id
        if oldName != account.name { emitRename(of: user, from: oldName) }
        if becameAdmin, let key = user.current, let room = rooms[key] {
            emit(ChatEvent(kind: .admin, room: room.name, sender: account.name, time: clock()), to: room)
        }
        // Out of the rooms that ban the account (the room sees them leave).
        for key in user.rooms where key != lobby.key {
            guard let room = rooms[key], room.isBanned(nameKey: nameKey(account.name), address: nil, account: account.id),
                  let fresh = users[id] else { continue }
            emit(ChatEvent(kind: .leave, room: room.name, sender: account.name, time: clock()), to: room)
            remove(fresh, from: room)
        }
        observeIdentify(account.name, account: account.id)
        return account.name
    }

    /// Replaces the account's password hash, if `login` (the current
    /// password, checked) still matches.
    public func changePassword(_ id: UserID, login: VerifiedLogin, to credential: String) throws {
        let user = try self.user(id)
        guard user.account == login.accountID, var account = accounts[login.accountID],
              account.credential == login.credential else { throw ChatError.wrongPassword }
        account.credential = credential
        accounts[account.id] = account
        storage.record(.accountSaved(account))
    }

    /// Drops the account named `name`: its rooms lose their owner, its
    /// moderator rights go, and whoever is online as it becomes a guest
    /// (and is told). Private history stays with the dropped account: a
    /// new account of the same name is another person and never sees it.
    public func deleteAccount(named name: String) throws -> String {
        guard let account = account(named: name) else { throw ChatError.noSuchAccount(name.trimmingSpaces) }
        accounts.removeValue(forKey: account.id)
        accountIDsByKey.removeValue(forKey: nameKey(account.name))
        accountIDsBySkeleton.removeValue(forKey: NameRules.skeleton(account.name))
        for room in rooms.values {
            if room.owner == account.id { room.owner = nil }
            room.removeModerator(account.id)
        }
        storage.record(.accountDeleted(id: account.id))
        if let online = onlineByAccount.removeValue(forKey: account.id), var user = users[online] {
            user.account = nil
            user.accountAdmin = false
            users[online] = user
            outbox.deliver(.reply(Reply(text: "Sua conta \(account.name) foi apagada por um administrador: agora você é convidado.",
                                        time: clock(), unprompted: true)), to: [user.endpoint])
        }
        return account.name
    }

    /// Sets whether the account holds admin rights (the operator's tool
    /// does this offline; here for tests and embedding).
    public func setAdmin(_ isAdmin: Bool, account name: String) throws {
        guard var account = account(named: name) else { throw ChatError.noSuchAccount(name.trimmingSpaces) }
        account.isAdmin = isAdmin
        accounts[account.id] = account
        storage.record(.accountSaved(account))
        if let online = onlineByAccount[account.id] { users[online]?.accountAdmin = isAdmin }
    }

    /// What `/conta` shows about the caller.
    public func accountSummary(of id: UserID) throws -> AccountSummary {
        let user = try self.user(id)
        guard let account = account(of: id) else {
            return AccountSummary(name: user.name, registeredAt: nil, isAdmin: user.isAdmin, ownedRooms: [],
                                  moderatedRooms: sortedRoomNames { $0.guestModerators.contains(id) })
        }
        return AccountSummary(name: account.name, registeredAt: account.createdAt, isAdmin: user.isAdmin,
                              ownedRooms: sortedRoomNames { $0.owner == account.id },
                              moderatedRooms: sortedRoomNames { $0.moderatorAccounts.contains(account.id) })
    }

    private func sortedRoomNames(_ include: (Room) -> Bool) -> [String] {
        rooms.values.filter(include).map(\.name).sorted { nameKey($0) < nameKey($1) }
    }

    func add(_ account: AccountRecord) {
        accounts[account.id] = account
        accountIDsByKey[nameKey(account.name)] = account.id
        accountIDsBySkeleton[NameRules.skeleton(account.name)] = account.id
    }

    /// Tells the connection `id` that its account signed in elsewhere, and closes it.
    func replaceSession(_ id: UserID) {
        guard let endpoint = users[id]?.endpoint else { return }
        outbox.deliver(.reply(Reply(error: .sessionReplaced, time: clock(), unprompted: true)), to: [endpoint])
        disconnect(id, reason: "entrou por outra conexão")
        outbox.disconnect(endpoint)
    }
}
