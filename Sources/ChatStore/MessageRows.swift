import ChatCore
import GRDB
import GRDBSQLite

/// Binds history rows straight onto a prepared INSERT of as many rows (in
/// the column order of `Schema.insert`) and runs it. GRDB's
/// `StatementArguments` box every value and validate the whole list on
/// each execute; with 64 rows × 11 columns per statement that was about 7%
/// of the server's CPU under fan-out load (profiled in docs/PERFORMANCE.md),
/// for values whose types are fixed here. The statement still comes from
/// GRDB's cache and runs inside its transaction; only binding and stepping
/// are done by hand.
enum MessageRows {
    /// SQLite copies each text at bind time (SQLITE_TRANSIENT).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func insert(_ rows: some Collection<StoredMessage>, with statement: Statement, _ db: Database) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        var index: Int32 = 1
        for m in rows {
            bind(m.kind.rawValue, handle, &index)
            bind(m.room, handle, &index)
            bind(nameKey(m.room), handle, &index)
            bind(m.sender, handle, &index)
            bind(m.recipient, handle, &index)
            bind(m.text, handle, &index)
            sqlite3_bind_double(handle, index, m.time.timeIntervalSince1970)
            index += 1
            bind(m.senderSession, handle, &index)
            bind(m.recipientSession, handle, &index)
            bind(m.senderAccount, handle, &index)
            bind(m.recipientAccount, handle, &index)
        }
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code),
                                message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }

    private static func bind(_ text: String?, _ handle: OpaquePointer, _ index: inout Int32) {
        if let text {
            _ = text.withCString { sqlite3_bind_text(handle, index, $0, Int32(text.utf8.count), transient) }
        } else {
            sqlite3_bind_null(handle, index)
        }
        index += 1
    }
}
