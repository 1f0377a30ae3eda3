import ChatCore
import Foundation

/// Keeps everything in memory: for tests and for `papo bots test`. Its
/// history is answered at once, on the caller's thread.
public final class MemoryStorage: ChatStorage, @unchecked Sendable {
    private let lock = NSLock()
    private var state: PersistedState
    private var messages: [StoredMessage] = []
    private var botData: [String: [BotValueKey: String]] = [:]

    public init(state: PersistedState = PersistedState()) {
        self.state = state
    }

    public func load() throws -> PersistedState {
        lock.withLock { state }
    }

    public func loadBotData() throws -> [String: [BotValueKey: String]] {
        lock.withLock { botData }
    }

    public func record(_ change: StorageChange) {
        lock.withLock {
            if case .botValue(let owner, let key, let value) = change {
                botData[owner, default: [:]][key] = value
            } else {
                StateReducer.apply(change, to: &state, messages: &messages)
            }
        }
    }

    public func history(room: String, viewer: HistoryViewer, limit: Int,
                        completion: @escaping @Sendable ([StoredMessage]) -> Void) {
        let found = lock.withLock {
            // As in SQLite: the newest `limit` of the room's, and of the viewer's private ones.
            let rows = messages.enumerated()
            let publicRows = rows.filter { $0.element.kind == .public && nameKey($0.element.room) == nameKey(room) }
            let privateRows = rows.filter { $0.element.kind == .private && HistoryFilter.matches($0.element, viewer: viewer) }
            return (publicRows.suffix(limit) + privateRows.suffix(limit)).sorted { $0.offset < $1.offset }
                .suffix(limit).map(\.element)
        }
        completion(Array(found))
    }

    public func flush() {}

    /// Every message recorded so far, oldest first.
    public var allMessages: [StoredMessage] { lock.withLock { messages } }
}

/// How a change alters the persisted state; shared by the in-memory store and
/// the tests that compare it with SQLite.
enum StateReducer {
    static func apply(_ change: StorageChange, to state: inout PersistedState, messages: inout [StoredMessage]) {
        switch change {
        case .message(let message):
            messages.append(message)
            guard message.sender != Chat.botName else { return }
            state.totalMessages += 1
            if state.firstMessageAt == nil { state.firstMessageAt = message.time }
            state.messagesByUser[message.sender, default: 0] += 1
        case .roomCreated(let record):
            if !state.rooms.contains(where: { nameKey($0.name) == nameKey(record.name) }) {
                state.rooms.append(record)
            }
        case .accountSaved(let account):
            if let index = state.accounts.firstIndex(where: { $0.id == account.id }) {
                state.accounts[index].credential = account.credential
                state.accounts[index].isAdmin = account.isAdmin
            } else {
                state.accounts.append(account)
            }
        case .accountKeyAdded(let account, let key):
            if let index = state.accounts.firstIndex(where: { $0.id == account }),
               !state.accounts[index].keys.contains(where: { $0.fingerprint == key.fingerprint }) {
                state.accounts[index].keys.append(key)
            }
        case .accountKeyRemoved(let account, let fingerprint):
            if let index = state.accounts.firstIndex(where: { $0.id == account }) {
                state.accounts[index].keys.removeAll { $0.fingerprint == fingerprint }
            }
        case .accountDeleted(let id):
            state.accounts.removeAll { $0.id == id }
            for index in state.rooms.indices {
                if state.rooms[index].owner == id { state.rooms[index].owner = nil }
                state.rooms[index].moderators.removeAll { $0 == id }
            }
        case .roomOwnerChanged(let room, let owner):
            update(room, in: &state) { $0.owner = owner }
        case .moderatorAdded(let room, let account):
            update(room, in: &state) { if !$0.moderators.contains(account) { $0.moderators.append(account) } }
        case .moderatorRemoved(let room, let account):
            update(room, in: &state) { $0.moderators.removeAll { $0 == account } }
        case .topicChanged(let room, let topic):
            update(room, in: &state) { $0.topic = topic }
        case .roomSettingsChanged(let room, let settings):
            update(room, in: &state) { $0.settings = settings }
        case .legacyModeratorRemoved(let room, let name):
            update(room, in: &state) { $0.legacyModerators.removeAll { nameKey($0) == nameKey(name) } }
        case .banAdded(let room, let ban):
            update(room, in: &state) { record in
                record.bans.removeAll { nameKey($0.name) == nameKey(ban.name) }
                record.bans.append(ban)
            }
        case .banRemoved(let room, let name):
            update(room, in: &state) { $0.bans.removeAll { nameKey($0.name) == nameKey(name) } }
        case .botValue:
            break // not part of the chat's state
        }
    }

    private static func update(_ room: String, in state: inout PersistedState, _ change: (inout RoomRecord) -> Void) {
        if let index = state.rooms.firstIndex(where: { nameKey($0.name) == nameKey(room) }) {
            change(&state.rooms[index])
        }
    }
}

/// Which private messages a viewer's `/historico` shows: those of its
/// connection and, when identified, of its account.
enum HistoryFilter {
    static func matches(_ message: StoredMessage, viewer: HistoryViewer) -> Bool {
        if message.senderSession == viewer.session || message.recipientSession == viewer.session { return true }
        guard let account = viewer.account else { return false }
        return message.senderAccount == account || message.recipientAccount == account
    }
}
