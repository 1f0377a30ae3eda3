import Foundation

/// A chat room: who is in it now, who moderates it, who may not enter.
final class Room {
    let name: String
    let key: String
    /// Current members in arrival order, with the endpoint each is reached at;
    /// `order` and `audience` run in parallel.
    private(set) var members: [UserID: any ChatEndpoint] = [:]
    private(set) var order: [UserID] = []
    /// Name keys of the moderators; kept across restarts.
    var moderators: Set<String>
    var moderatorNames: [String]
    /// Bans by name key.
    var bans: [String: BanRecord]

    init(record: RoomRecord) {
        name = record.name
        key = nameKey(record.name)
        moderatorNames = record.moderators
        moderators = Set(record.moderators.map(nameKey))
        bans = Dictionary(record.bans.map { (nameKey($0.name), $0) }, uniquingKeysWith: { _, new in new })
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

    func addModerator(_ name: String) {
        if moderators.insert(nameKey(name)).inserted { moderatorNames.append(name) }
    }

    func renameModerator(from oldName: String, to newName: String) {
        moderators.remove(nameKey(oldName))
        moderatorNames.removeAll { nameKey($0) == nameKey(oldName) }
        addModerator(newName)
    }

    /// A ban matches the name, or the address where the address identifies a
    /// person (loopback is shared by every local user, so it never matches).
    func isBanned(nameKey key: String, address: String?) -> Bool {
        if bans[key] != nil { return true }
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
