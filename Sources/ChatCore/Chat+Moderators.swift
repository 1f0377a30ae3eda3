import Foundation

/// Naming a room's moderators, by account: the owner or an admin only.
extension Chat {
    /// Makes the account `name` a moderator of the caller's room. An admin
    /// naming a moderator in a room that has no owner (a guest made it, or it
    /// is from before accounts) hands the room on: that account owns it now.
    /// Returns the account's name and whether it became the owner.
    public func addModerator(by id: UserID, name: String) throws -> (name: String, owner: Bool) {
        let (caller, room) = try roomManagement(by: id)
        guard let account = account(named: name) else { throw ChatError.noSuchAccount(name.trimmingSpaces) }
        if room.isModerator(account: account.id) { throw ChatError.alreadyModerator(account.name) }
        let becomesOwner = room.owner == nil && caller.isAdmin
        if becomesOwner {
            room.owner = account.id
            // Handed on: the guest who created it moderates it no more.
            room.guestModerators.removeAll()
            room.guestCreator = nil
            storage.record(.roomOwnerChanged(room: room.name, owner: account.id))
        } else {
            room.addModerator(account.id)
            storage.record(.moderatorAdded(room: room.name, account: account.id))
        }
        if room.removeLegacyModerator(account.name) {
            storage.record(.legacyModeratorRemoved(room: room.name, name: account.name))
        }
        emit(ChatEvent(kind: .moderatorAdded, room: room.name, sender: caller.name, target: account.name,
                       time: clock()), to: room)
        return (account.name, becomesOwner)
    }

    /// Takes moderation of the caller's room away from the account `name`
    /// (or forgets a pre-accounts moderator name). Only an admin may remove
    /// the owner, which leaves the room without one.
    @discardableResult
    public func removeModerator(by id: UserID, name: String) throws -> String {
        let (caller, room) = try roomManagement(by: id)
        let typed = name.trimmingSpaces
        var removed: String?
        if let account = account(named: typed) {
            if account.id == caller.account { throw ChatError.cannotTargetSelf }
            if room.owner == account.id {
                guard caller.isAdmin else { throw ChatError.notOwner(room.name) }
                room.owner = nil
                storage.record(.roomOwnerChanged(room: room.name, owner: nil))
                removed = account.name
            } else if room.removeModerator(account.id) {
                storage.record(.moderatorRemoved(room: room.name, account: account.id))
                removed = account.name
            }
        }
        if room.removeLegacyModerator(typed) {
            storage.record(.legacyModeratorRemoved(room: room.name, name: typed))
            removed = removed ?? typed
        }
        // A guest who created the room, online now under that name.
        if removed == nil, let guest = lookup(typed), room.guestModerators.contains(guest.id) {
            if guest.id == id { throw ChatError.cannotTargetSelf }
            room.guestModerators.remove(guest.id)
            removed = guest.name
        }
        guard let removed else { throw ChatError.notAModerator(typed) }
        emit(ChatEvent(kind: .moderatorRemoved, room: room.name, sender: caller.name, target: removed,
                       time: clock()), to: room)
        return removed
    }

    /// The caller and their room, if they may name its moderators.
    private func roomManagement(by id: UserID) throws -> (ChatUser, Room) {
        let caller = try user(id)
        let room = try currentRoom(of: caller)
        if room.key == nameKey(defaultRoom) { throw ChatError.defaultRoomUnmoderated(room.name) }
        guard caller.isAdmin || (caller.account != nil && room.owner == caller.account) else {
            throw ChatError.notOwner(room.name)
        }
        return (caller, room)
    }

    /// The names `/salas` shows as a room's moderators: the owner first,
    /// then named moderators, guests who created it (while online), and
    /// pre-accounts names marked as waiting for confirmation.
    func moderatorNames(of room: Room) -> [String] {
        var names: [String] = []
        if let owner = room.owner, let account = accounts[owner] { names.append(account.name) }
        names += room.moderatorAccounts.compactMap { accounts[$0]?.name }
        names += room.guestModerators.compactMap { users[$0]?.name }.sorted { nameKey($0) < nameKey($1) }
        names += room.legacyModerators.map { "\($0) (sem conta)" }
        return names
    }
}
