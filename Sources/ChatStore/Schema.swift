import ChatCore
import Foundation
import GRDB

/// Tables, migrations and the SQL behind `SQLiteStorage`.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE room (
                    key TEXT PRIMARY KEY, name TEXT NOT NULL, createdBy TEXT, createdAt DOUBLE NOT NULL);
                CREATE TABLE moderator (
                    roomKey TEXT NOT NULL, nameKey TEXT NOT NULL, name TEXT NOT NULL,
                    PRIMARY KEY (roomKey, nameKey));
                CREATE TABLE ban (
                    roomKey TEXT NOT NULL, nameKey TEXT NOT NULL, name TEXT NOT NULL, address TEXT,
                    bannedBy TEXT NOT NULL, time DOUBLE NOT NULL, PRIMARY KEY (roomKey, nameKey));
                CREATE TABLE message (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, room TEXT NOT NULL,
                    roomKey TEXT NOT NULL, sender TEXT NOT NULL, recipient TEXT, text TEXT NOT NULL,
                    time DOUBLE NOT NULL, senderSession TEXT, recipientSession TEXT);
                CREATE INDEX message_room ON message (roomKey, id) WHERE kind = 'public';
                CREATE INDEX message_sender_session ON message (senderSession) WHERE kind = 'private';
                CREATE INDEX message_recipient_session ON message (recipientSession) WHERE kind = 'private';
                CREATE TABLE userStats (nameKey TEXT PRIMARY KEY, name TEXT NOT NULL, messages INTEGER NOT NULL);
                CREATE TABLE counter (name TEXT PRIMARY KEY, value DOUBLE NOT NULL);
                """)
        }
        migrator.registerMigration("v2-bot-data") { db in
            try db.execute(sql: """
                CREATE TABLE botData (
                    script TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (script, key));
                """)
        }
        // Accounts. The v1 `moderator` rows (names) stay as they are: from
        // now on they are pre-accounts claims that grant nothing (see
        // docs/PROTOCOL.md §8); account moderators live in `roomModerator`.
        migrator.registerMigration("v3-accounts") { db in
            try db.execute(sql: """
                CREATE TABLE account (
                    id TEXT PRIMARY KEY, nameKey TEXT NOT NULL UNIQUE, name TEXT NOT NULL, credential TEXT NOT NULL,
                    createdAt DOUBLE NOT NULL, isAdmin INTEGER NOT NULL DEFAULT 0);
                ALTER TABLE room ADD COLUMN owner TEXT;
                CREATE TABLE roomModerator (
                    roomKey TEXT NOT NULL, account TEXT NOT NULL, PRIMARY KEY (roomKey, account));
                ALTER TABLE ban ADD COLUMN account TEXT;
                ALTER TABLE message ADD COLUMN senderAccount TEXT;
                ALTER TABLE message ADD COLUMN recipientAccount TEXT;
                CREATE INDEX message_sender_account ON message (senderAccount) WHERE kind = 'private';
                CREATE INDEX message_recipient_account ON message (recipientAccount) WHERE kind = 'private';
                """)
        }
        migrator.registerMigration("v4-topics") { db in
            try db.execute(sql: """
                ALTER TABLE room ADD COLUMN topic TEXT;
                ALTER TABLE room ADD COLUMN topicBy TEXT;
                ALTER TABLE room ADD COLUMN topicAt DOUBLE;
                """)
        }
        // Bot values become JSON (tables, numbers and booleans keep their
        // type) with a scope for room and account namespaces. Every old value
        // was text: it becomes a JSON string, so scripts read back the same.
        migrator.registerMigration("v5-bot-values") { db in
            try db.execute(sql: """
                CREATE TABLE botValue (
                    owner TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                    PRIMARY KEY (owner, scope, key));
                """)
            for row in try Row.fetchAll(db, sql: "SELECT script, key, value FROM botData") {
                let text: String = row["value"]
                let json = String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
                try db.execute(sql: "INSERT INTO botValue (owner, scope, key, value) VALUES (?, '', ?, ?)",
                               arguments: [row["script"] as String, row["key"] as String, json])
            }
            try db.execute(sql: "DROP TABLE botData")
        }
        // Room settings (IRC's +s, -t and the +e ban exceptions, kept as
        // names and patterns separated by spaces, which neither can hold);
        // every older room is none of them.
        migrator.registerMigration("v6-room-settings") { db in
            try db.execute(sql: """
                ALTER TABLE room ADD COLUMN secret BOOLEAN NOT NULL DEFAULT 0;
                ALTER TABLE room ADD COLUMN openTopic BOOLEAN NOT NULL DEFAULT 0;
                ALTER TABLE room ADD COLUMN exceptions TEXT NOT NULL DEFAULT '';
                """)
        }
        // Public keys that log an account in over SSH; older accounts have none.
        migrator.registerMigration("v7-account-keys") { db in
            try db.execute(sql: """
                CREATE TABLE accountKey (
                    account TEXT NOT NULL,
                    fingerprint TEXT NOT NULL, publicKey TEXT NOT NULL, addedAt DOUBLE NOT NULL,
                    PRIMARY KEY (account, fingerprint));
                """)
        }
        return migrator
    }

    /// Writes one batch in the order recorded. Messages go in as multi-row
    /// INSERTs of up to `rowsPerInsert` rows (one statement step instead of
    /// one per row); the per-sender and total counters they feed are summed
    /// over the batch and written once at the end.
    static func apply(batch: [StorageChange], _ db: Database) throws {
        var counts = MessageCounts()
        var rows: [StoredMessage] = []
        for change in batch {
            if case .message(let m) = change {
                rows.append(m)
                counts.add(m)
                if rows.count == rowsPerInsert {
                    try insert(rows, db)
                    rows.removeAll(keepingCapacity: true)
                }
            } else {
                try insert(rows, db)
                rows.removeAll(keepingCapacity: true)
                try apply(change, db)
            }
        }
        try insert(rows, db)
        try counts.write(db)
    }

    static let rowsPerInsert = 64

    /// Inserts `rows` in order: a full chunk in one statement, fewer one by one.
    private static func insert(_ rows: [StoredMessage], _ db: Database) throws {
        guard !rows.isEmpty else { return }
        let columns = "INSERT INTO message (kind, room, roomKey, sender, recipient, text, time, senderSession, "
            + "recipientSession, senderAccount, recipientAccount) VALUES "
        let tuple = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        if rows.count == rowsPerInsert {
            let statement = try db.cachedStatement(
                sql: columns + Array(repeating: tuple, count: rowsPerInsert).joined(separator: ", "))
            try MessageRows.insert(rows, with: statement, db)
        } else {
            let statement = try db.cachedStatement(sql: columns + tuple)
            for m in rows { try MessageRows.insert(CollectionOfOne(m), with: statement, db) }
        }
    }

    /// The counters one batch of messages adds to.
    private struct MessageCounts {
        var bySender: [String: (name: String, count: Int)] = [:]
        var total = 0
        var first: Date?

        mutating func add(_ m: StoredMessage) {
            // The bot's own messages are history, not activity.
            guard m.sender != Chat.botName else { return }
            let key = nameKey(m.sender)
            bySender[key] = (m.sender, (bySender[key]?.count ?? 0) + 1)
            total += 1
            if first == nil { first = m.time }
        }

        func write(_ db: Database) throws {
            guard total > 0 else { return }
            let stats = try db.cachedStatement(sql: """
                INSERT INTO userStats (nameKey, name, messages) VALUES (?, ?, ?)
                ON CONFLICT (nameKey) DO UPDATE SET messages = messages + excluded.messages, name = excluded.name
                """)
            for (key, sender) in bySender {
                try stats.execute(arguments: [key, sender.name, sender.count])
            }
            try db.cachedStatement(sql: """
                INSERT INTO counter (name, value) VALUES ('totalMessages', ?)
                ON CONFLICT (name) DO UPDATE SET value = value + excluded.value
                """).execute(arguments: [total])
            if let first {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO counter (name, value) VALUES ('firstMessageAt', ?)")
                    .execute(arguments: [first.timeIntervalSince1970])
            }
        }
    }

    private static func insert(_ key: AccountKey, of account: String, _ db: Database) throws {
        try db.execute(sql: """
            INSERT OR IGNORE INTO accountKey (account, fingerprint, publicKey, addedAt) VALUES (?, ?, ?, ?)
            """, arguments: [account, key.fingerprint, key.publicKey, key.addedAt.timeIntervalSince1970])
    }

    private static func apply(_ change: StorageChange, _ db: Database) throws {
        switch change {
        case .message:
            try apply(batch: [change], db)
        case .roomCreated(let r):
            try db.execute(sql: """
                INSERT OR IGNORE INTO room (key, name, createdBy, createdAt, owner, topic, topicBy, topicAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [nameKey(r.name), r.name, r.createdBy, r.createdAt.timeIntervalSince1970, r.owner,
                                 r.topic?.text, r.topic?.setBy, r.topic?.time.timeIntervalSince1970])
            for moderator in r.moderators {
                try db.execute(sql: "INSERT OR IGNORE INTO roomModerator (roomKey, account) VALUES (?, ?)",
                               arguments: [nameKey(r.name), moderator])
            }
        case .accountSaved(let a):
            try db.execute(sql: """
                INSERT INTO account (id, nameKey, name, credential, createdAt, isAdmin) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET credential = excluded.credential, isAdmin = excluded.isAdmin
                """, arguments: [a.id, nameKey(a.name), a.name, a.credential, a.createdAt.timeIntervalSince1970, a.isAdmin])
            for key in a.keys { try insert(key, of: a.id, db) }
        case .accountKeyAdded(let account, let key):
            try insert(key, of: account, db)
        case .accountKeyRemoved(let account, let fingerprint):
            try db.execute(sql: "DELETE FROM accountKey WHERE account = ? AND fingerprint = ?", arguments: [account, fingerprint])
        case .accountDeleted(let id):
            try db.execute(sql: "DELETE FROM accountKey WHERE account = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM account WHERE id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM roomModerator WHERE account = ?", arguments: [id])
            try db.execute(sql: "UPDATE room SET owner = NULL WHERE owner = ?", arguments: [id])
        case .roomOwnerChanged(let room, let owner):
            try db.execute(sql: "UPDATE room SET owner = ? WHERE key = ?", arguments: [owner, nameKey(room)])
        case .moderatorAdded(let room, let account):
            try db.execute(sql: "INSERT OR IGNORE INTO roomModerator (roomKey, account) VALUES (?, ?)",
                           arguments: [nameKey(room), account])
        case .moderatorRemoved(let room, let account):
            try db.execute(sql: "DELETE FROM roomModerator WHERE roomKey = ? AND account = ?",
                           arguments: [nameKey(room), account])
        case .roomSettingsChanged(let room, let settings):
            try db.execute(sql: "UPDATE room SET secret = ?, openTopic = ?, exceptions = ? WHERE key = ?",
                           arguments: [settings.secret, settings.openTopic, settings.exceptions.joined(separator: " "),
                                       nameKey(room)])
        case .topicChanged(let room, let topic):
            try db.execute(sql: "UPDATE room SET topic = ?, topicBy = ?, topicAt = ? WHERE key = ?",
                           arguments: [topic?.text, topic?.setBy, topic?.time.timeIntervalSince1970, nameKey(room)])
        case .legacyModeratorRemoved(let room, let name):
            try db.execute(sql: "DELETE FROM moderator WHERE roomKey = ? AND nameKey = ?",
                           arguments: [nameKey(room), nameKey(name)])
        case .banAdded(let room, let ban):
            try db.execute(sql: """
                INSERT OR REPLACE INTO ban (roomKey, nameKey, name, address, account, bannedBy, time)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [nameKey(room), nameKey(ban.name), ban.name, ban.address, ban.account, ban.bannedBy,
                                 ban.time.timeIntervalSince1970])
        case .botValue(let owner, let key, let value?):
            try db.execute(sql: "INSERT OR REPLACE INTO botValue (owner, scope, key, value) VALUES (?, ?, ?, ?)",
                           arguments: [owner, key.scope, key.key, value])
        case .botValue(let owner, let key, nil):
            try db.execute(sql: "DELETE FROM botValue WHERE owner = ? AND scope = ? AND key = ?",
                           arguments: [owner, key.scope, key.key])
        case .banRemoved(let room, let name):
            try db.execute(sql: "DELETE FROM ban WHERE roomKey = ? AND nameKey = ?",
                           arguments: [nameKey(room), nameKey(name)])
        }
    }

    static func loadState(_ db: Database) throws -> PersistedState {
        var state = PersistedState()
        let keys = Dictionary(grouping: try Row.fetchAll(db, sql: "SELECT * FROM accountKey ORDER BY addedAt, rowid"),
                              by: { $0["account"] as String })
        state.accounts = try Row.fetchAll(db, sql: "SELECT * FROM account ORDER BY createdAt").map {
            AccountRecord(id: $0["id"], name: $0["name"], credential: $0["credential"],
                          createdAt: Date(timeIntervalSince1970: $0["createdAt"]), isAdmin: $0["isAdmin"],
                          keys: (keys[$0["id"] as String] ?? []).map {
                              AccountKey(fingerprint: $0["fingerprint"], publicKey: $0["publicKey"],
                                         addedAt: Date(timeIntervalSince1970: $0["addedAt"]))
                          })
        }
        let legacy = Dictionary(grouping: try Row.fetchAll(db, sql: "SELECT roomKey, name FROM moderator ORDER BY rowid"),
                                by: { $0["roomKey"] as String })
        let moderators = Dictionary(grouping: try Row.fetchAll(db, sql: "SELECT roomKey, account FROM roomModerator ORDER BY rowid"),
                                    by: { $0["roomKey"] as String })
        let bans = Dictionary(grouping: try Row.fetchAll(db, sql: "SELECT * FROM ban"), by: { $0["roomKey"] as String })
        for row in try Row.fetchAll(db, sql: "SELECT * FROM room ORDER BY createdAt") {
            let key: String = row["key"]
            state.rooms.append(RoomRecord(
                name: row["name"], createdBy: row["createdBy"],
                createdAt: Date(timeIntervalSince1970: row["createdAt"]), owner: row["owner"],
                moderators: (moderators[key] ?? []).map { $0["account"] },
                legacyModerators: (legacy[key] ?? []).map { $0["name"] },
                bans: (bans[key] ?? []).map {
                    BanRecord(name: $0["name"], address: $0["address"], account: $0["account"], bannedBy: $0["bannedBy"],
                              time: Date(timeIntervalSince1970: $0["time"]))
                },
                topic: (row["topic"] as String?).map {
                    TopicRecord(text: $0, setBy: row["topicBy"] ?? "", time: Date(timeIntervalSince1970: row["topicAt"] ?? 0))
                },
                settings: RoomSettings(secret: row["secret"], openTopic: row["openTopic"],
                                       exceptions: (row["exceptions"] as String).split(separator: " ").map(String.init))))
        }
        for row in try Row.fetchAll(db, sql: "SELECT name, messages FROM userStats") {
            state.messagesByUser[row["name"]] = row["messages"]
        }
        state.totalMessages = Int(try Double.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'totalMessages'") ?? 0)
        if let first = try Double.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'firstMessageAt'") {
            state.firstMessageAt = Date(timeIntervalSince1970: first)
        }
        return state
    }

    static func loadBotData(_ db: Database) throws -> [String: [BotValueKey: String]] {
        var data: [String: [BotValueKey: String]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT owner, scope, key, value FROM botValue") {
            data[row["owner"], default: [:]][BotValueKey(scope: row["scope"], key: row["key"])] = row["value"] as String
        }
        return data
    }

    static func history(_ db: Database, room: String, viewer: HistoryViewer, limit: Int) throws -> [StoredMessage] {
        // Each branch takes its own newest `limit` rows through its index, so
        // the cost does not grow with the size of the history. UNION (not
        // ALL) drops a row that two branches found (sent by the session
        // and by the account, say). A guest's account is NULL: no rows.
        let rows = try Row.fetchAll(db, sql: """
            SELECT * FROM (
                SELECT * FROM (SELECT * FROM message WHERE kind = 'public' AND roomKey = ? ORDER BY id DESC LIMIT ?)
                UNION
                SELECT * FROM (SELECT * FROM message WHERE kind = 'private' AND senderSession = ? ORDER BY id DESC LIMIT ?)
                UNION
                SELECT * FROM (SELECT * FROM message WHERE kind = 'private' AND recipientSession = ? ORDER BY id DESC LIMIT ?)
                UNION
                SELECT * FROM (SELECT * FROM message WHERE kind = 'private' AND senderAccount = ? ORDER BY id DESC LIMIT ?)
                UNION
                SELECT * FROM (SELECT * FROM message WHERE kind = 'private' AND recipientAccount = ? ORDER BY id DESC LIMIT ?)
            ) ORDER BY id DESC LIMIT ?
            """, arguments: [nameKey(room), limit, viewer.session, limit, viewer.session, limit,
                             viewer.account, limit, viewer.account, limit, limit])
        return rows.reversed().map { row in
            StoredMessage(kind: StoredMessage.Kind(rawValue: row["kind"]) ?? .public, room: row["room"],
                          sender: row["sender"], recipient: row["recipient"], text: row["text"],
                          time: Date(timeIntervalSince1970: row["time"]),
                          senderSession: row["senderSession"], recipientSession: row["recipientSession"],
                          senderAccount: row["senderAccount"], recipientAccount: row["recipientAccount"])
        }
    }
}
