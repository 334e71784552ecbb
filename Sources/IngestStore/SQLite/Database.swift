import CSQLite

/// Owns one `sqlite3*` connection, closed in `deinit` with `sqlite3_close_v2`.
///
/// Not thread-safe by itself: `VideoStore` serializes every use behind its lock.
/// Each SQL text is prepared once per connection and kept in a cache.
final class Database {
    let handle: OpaquePointer
    private var statements: [String: Statement] = [:]
    /// The outbox's routing provider (`VideoStore.setOutbox`); nil: no events are recorded.
    var outbox: (@Sendable () -> OutboxRouting)?
    /// Called after a transaction that recorded events commits (wakes the delivery worker).
    var onEventsCommitted: (@Sendable () -> Void)?
    /// Set by `Events` when the open transaction inserted deliveries.
    var recordedEvents = false
    /// Work that runs at the end of the open transaction, just before COMMIT, in order (the
    /// outbox snapshots each event's video there, so the body shows the committed state).
    var beforeCommit: [(Database) throws -> Void] = []

    /// Opens (creating if needed) the database file at `path`; `readOnly` opens an existing file
    /// without ever writing it (`store migrate` reads the store that way).
    init(path: String, readOnly: Bool = false) throws {
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_FULLMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let error = StoreError.sqlite(rc, db: db, context: "open \(path)")
            sqlite3_close_v2(db)
            throw error
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more SQL statements that take no parameters and return no rows.
    func exec(_ sql: String) throws {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw StoreError.sqlite(rc, db: handle, context: "exec \(sql)") }
    }

    /// Sets the busy timeout in milliseconds.
    func setBusyTimeout(milliseconds: Int32) throws {
        let rc = sqlite3_busy_timeout(handle, milliseconds)
        guard rc == SQLITE_OK else { throw StoreError.sqlite(rc, db: handle, context: "busy_timeout") }
    }

    /// The cached prepared statement for `sql`, preparing it on first use.
    private func statement(_ sql: String) throws -> Statement {
        if let cached = statements[sql] { return cached }
        let statement = try Statement(db: handle, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Runs `sql` with `params`, calling `body` for each result row; the statement is reset afterwards.
    func query(_ sql: String, _ params: [SQLValue] = [], _ body: (Row) throws -> Void) throws {
        let stmt = try statement(sql)
        defer { stmt.reset() }
        try stmt.bind(params)
        while try stmt.step() {
            try body(Row(handle: stmt.handle))
        }
    }

    /// Steps through the rows of `sql` while `body` returns true.
    func queryWhile(_ sql: String, _ params: [SQLValue] = [], _ body: (Row) throws -> Bool) throws {
        let stmt = try statement(sql)
        defer { stmt.reset() }
        try stmt.bind(params)
        while try stmt.step() {
            guard try body(Row(handle: stmt.handle)) else { return }
        }
    }

    /// The first row of `sql` mapped by `transform`, or nil when there is none.
    func queryFirst<T>(_ sql: String, _ params: [SQLValue] = [], _ transform: (Row) throws -> T) throws -> T? {
        var result: T?
        try query(sql, params) { row in
            if result == nil { result = try transform(row) }
        }
        return result
    }

    /// Runs a statement that returns no rows; returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ params: [SQLValue] = []) throws -> Int {
        try query(sql, params) { _ in }
        return Int(sqlite3_changes(handle))
    }

    /// The rowid of the last successful INSERT on this connection.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// How a transaction starts: `immediate` takes the write lock at once (every write
    /// transaction, so that it never fails half-way on a lock); `deferred` reads one snapshot.
    enum TransactionMode: String {
        case deferred = "BEGIN DEFERRED"
        case immediate = "BEGIN IMMEDIATE"
    }

    /// Runs `body` inside `BEGIN …` … `COMMIT`, rolling back when it throws.
    func transaction<T>(_ mode: TransactionMode, _ body: () throws -> T) throws -> T {
        try run(mode.rawValue)
        recordedEvents = false
        beforeCommit = []
        do {
            let result = try body()
            while !beforeCommit.isEmpty { try beforeCommit.removeFirst()(self) }
            try run("COMMIT")
            if recordedEvents { recordedEvents = false; onEventsCommitted?() }
            return result
        } catch {
            beforeCommit = []
            recordedEvents = false
            if sqlite3_get_autocommit(handle) == 0 {
                _ = try? run("ROLLBACK")
            }
            throw error
        }
    }
}
