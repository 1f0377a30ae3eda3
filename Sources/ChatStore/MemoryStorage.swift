import ChatCore
import Foundation

/// Keeps everything in memory: for tests and for `papo bots test`. Its
/// history is answered at once, on the caller's thread.
public final class MemoryStorage: ChatStorage, @unchecked Sendable {
    private let lock = NSLock()
    private var state: PersistedState
    private var messages: [StoredMessage] = []
    private var botData: [String: [String: String]] = [:]

    public init(state: PersistedState = PersistedState()) {
        self.state = state
    }

    public func load() throws -> PersistedState {
        lock.withLock { state }
    }

    public func loadBotData() throws -> [String: [String: String]] {
        lock.withLock { botData }
    }

    public func record(_ change: StorageChange) {
        lock.withLock {
            if case .botValue(let script, let key, let value) = change {
                botData[script, default: [:]][key] = value
            } else {
                StateReducer.apply(change, to: &state, messages: &messages)
            }
        }
    }

    public func history(room: String, session: String, limit: Int,
                        completion: @escaping @Sendable ([StoredMessage]) -> Void) {
        let found = lock.withLock {
            messages.filter { HistoryFilter.matches($0, room: room, session: session) }.suffix(limit)
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
        case .moderatorRenamed(let room, let old, let new):
            update(room, in: &state) { record in
                record.moderators.removeAll { nameKey($0) == nameKey(old) }
                if !record.moderators.contains(where: { nameKey($0) == nameKey(new) }) { record.moderators.append(new) }
            }
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

/// Which stored messages a viewer's `/historico` shows.
enum HistoryFilter {
    static func matches(_ message: StoredMessage, room: String, session: String) -> Bool {
        switch message.kind {
        case .public: return nameKey(message.room) == nameKey(room)
        case .private: return message.senderSession == session || message.recipientSession == session
        }
    }
}
