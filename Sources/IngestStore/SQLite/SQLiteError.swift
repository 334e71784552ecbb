import CSQLite

/// How SQLite's result codes become `StoreError`s.
extension StoreError {
    /// Maps a SQLite result code (and the connection's error text) to a `StoreError`.
    static func sqlite(_ rc: Int32, db: OpaquePointer?, context: String) -> StoreError {
        let detail: String
        if let db, let text = sqlite3_errmsg(db) {
            detail = String(cString: text)
        } else if let text = sqlite3_errstr(rc) {
            detail = String(cString: text)
        } else {
            detail = "unknown error"
        }
        return StoreError(code(forSQLite: rc), "\(context): \(detail)", sqliteCode: rc)
    }

    /// The `Code` for a primary or extended SQLite result code.
    static func code(forSQLite rc: Int32) -> Code {
        switch rc & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy
        case SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PERM: return .io
        case SQLITE_FULL: return .full
        case SQLITE_CORRUPT, SQLITE_NOTADB: return .corrupt
        case SQLITE_CONSTRAINT: return .constraint
        case SQLITE_MISUSE, SQLITE_RANGE: return .misuse
        default: return .other
        }
    }
}
