import Foundation

/// A chat room: who is in it now, who moderates it, who may not enter.
final class Room {
    let name: String
    let key: String
    /// Current members in arrival order, with the endpoint each is reached at;
    /// `order` and `audience` run in parallel.
    private(set) var members: [UserID: any ChatEndpoint] = [:]
    private(set) var order: [UserID] = []
    /// The account that created the room (or that an admin handed it to):
    /// it moderates the room and names its other moderators. Kept across
    /// restarts. nil for a room made by a guest, or from before accounts.
    var owner: String?
    /// Accounts the owner or an admin made moderators, in that order.
    private(set) var moderatorAccounts: [String]
    /// Connections of guests who created the room: moderators until they
    /// disconnect, never stored, never inherited through the name.
    var guestModerators: Set<UserID> = []
    /// The guest connection that created the room, while it is connected:
    /// only it (or the owner, or an admin) takes moderation from other guests.
    var guestCreator: UserID?
    /// Names that moderated the room before Papo had accounts. Kept and
    /// shown, but they grant nothing until the owner or an admin names an
    /// account with `/moderador` (anyone could have registered the name).
    private(set) var legacyModerators: [String]
    /// Bans by name key.
    var bans: [String: BanRecord]
    /// What the room is about, who set it and when; kept across restarts.
    var topic: TopicRecord?
    var settings = RoomSettings()

    init(record: RoomRecord) {
        name = record.name
        key = nameKey(record.name)
        owner = record.owner
        moderatorAccounts = record.moderators
        legacyModerators = record.legacyModerators
        bans = Dictionary(record.bans.map { (nameKey($0.name), $0) }, uniquingKeysWith: { _, new in new })
        topic = record.topic
        settings = record.settings
    }

    var memberCount: Int { order.count }
    /// The members' endpoints in arrival order, kept ready because every
    /// message to the room is delivered to them.
    let audience = Audience()
    var memberIDs: [UserID] { order }

    func add(_ id: UserID, endpoint: any ChatEndpoint) {
        if members.updateValue(endpoint, forKey: id) == nil {
            order.append(id)
            audience.append(endpoint)
        } else if let index = order.firstIndex(of: id) {
            audience.replace(at: index, with: endpoint)
        }
    }

    func remove(_ id: UserID) {
        guard members.removeValue(forKey: id) != nil, let index = order.firstIndex(of: id) else { return }
        order.remove(at: index)
        audience.remove(at: index)
    }

    /// True when the account owns or moderates the room.
    func isModerator(account: String?) -> Bool {
        guard let account else { return false }
        return owner == account || moderatorAccounts.contains(account)
    }

    /// Adds an account moderator; false when it already was one.
    @discardableResult
    func addModerator(_ account: String) -> Bool {
        guard owner != account, !moderatorAccounts.contains(account) else { return false }
        moderatorAccounts.append(account)
        return true
    }

    /// Removes an account moderator; false when it was not one.
    @discardableResult
    func removeModerator(_ account: String) -> Bool {
        guard let index = moderatorAccounts.firstIndex(of: account) else { return false }
        moderatorAccounts.remove(at: index)
        return true
    }

    /// Forgets a pre-accounts moderator name; false when there was none.
    @discardableResult
    func removeLegacyModerator(_ name: String) -> Bool {
        guard let index = legacyModerators.firstIndex(where: { nameKey($0) == nameKey(name) }) else { return false }
        legacyModerators.remove(at: index)
        return true
    }

    /// A ban matches the name, a pattern the name fits, the account, or
    /// the address where the address identifies a person (loopback is
    /// shared by every local user, so it never matches); an exception the
    /// name fits overrides them all.
    func isBanned(nameKey key: String, address: String?, account: String?) -> Bool {
        if settings.isExcepted(key) { return false }
        if bans[key] != nil { return true }
        if let account, bans.values.contains(where: { $0.account == account }) { return true }
        if bans.values.contains(where: { NamePattern.isPattern($0.name) && NamePattern.matches(nameKey($0.name), key) }) {
            return true
        }
        guard let address, !AddressRules.isShared(address) else { return false }
        return bans.values.contains { $0.address == address }
    }
}

/// Which network addresses are shared by many people and so cannot carry a ban.
public enum AddressRules {
    public static func isShared(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.") || address.isEmpty
    }
}
