import Foundation

/// The SQLite driver of `VideoStore`: videos, their jobs and the idempotency keys, in one SQLite file
/// (the embedded default, `store.url` null).
///
/// One `SQLiteVideoStore` holds one connection and is shared by the threads of a process
/// (workers, intake): every public method takes an internal lock. Other processes
/// (the CLI while the daemon runs) open their own `SQLiteVideoStore` on the same file;
/// WAL, a 5 s busy timeout and `BEGIN IMMEDIATE` write transactions keep them
/// consistent. `synchronous=FULL` makes every committed transaction durable.
///
/// The implementation is split by concern: `SQLiteVideoStore+Intake`, `+Jobs`, `+Outcomes`,
/// `+Moderation`, `+Reads` and the rest. Rate counts go through a second connection of their own
/// (`RateLimiter`, `synchronous=NORMAL`), opened at the first `take`.
public final class SQLiteVideoStore: VideoStore, @unchecked Sendable {
    /// The schema version (`PRAGMA user_version`) this build creates and expects.
    public static let schemaVersion: Int = Migrations.latestVersion

    /// The database file's path.
    public let path: String

    /// The schema version of the file (the one this build creates: migrations run at open).
    public var schemaVersion: Int { Self.schemaVersion }

    /// The database file's path.
    public var describesLocation: String { path }

    private let db: Database
    private let lock = NSLock()
    private let limiterLock = NSLock()
    private var limiter: RateLimiter?

    /// Opens (creating if needed) the store at `path`, sets WAL, `synchronous=FULL`,
    /// `foreign_keys=ON` and a 5000 ms busy timeout, and applies pending migrations.
    ///
    /// Throws a `StoreError` (`.corrupt` for a file that is not a database, `.io` when it cannot be opened).
    public init(path: String) throws {
        self.path = path
        try StoreDownFault.check()
        db = try Database(path: path)
        try db.setBusyTimeout(milliseconds: 5000)
        let mode = try db.queryFirst("PRAGMA journal_mode = WAL") { $0.string(0) }
        guard mode?.lowercased() == "wal" else {
            throw StoreError(.io, "could not switch \(path) to WAL (journal_mode is \(mode ?? "unknown"))")
        }
        try db.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON")
        try Migrations.apply(to: db)
    }

    /// Reserves places under the seller's per-minute limit (see `VideoStore.reserve`), on the
    /// rate limiter's own connection.
    public func reserve(sellerId: String, kind: String, limit: Int, count: Int, giveBack: (second: Int64, count: Int)?,
                        now: Date) throws -> RateGrant {
        try StoreDownFault.check()
        let counter = try limiterLock.withLock { () throws -> RateLimiter in
            if let limiter { return limiter }
            let opened = try RateLimiter(path: path)
            limiter = opened
            return opened
        }
        return try counter.reserve(sellerId: sellerId, kind: kind, limit: limit, count: count, giveBack: giveBack, now: now)
    }

    /// Runs `body` with the connection while holding the store's lock.
    func withConnection<T>(_ body: (Database) throws -> T) throws -> T {
        try StoreDownFault.check()
        lock.lock()
        defer { lock.unlock() }
        return try body(db)
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction while holding the store's lock.
    func writeTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try withConnection { db in
            try db.transaction(.immediate) { try body(db) }
        }
    }

    /// A write transaction committed without waiting for the disk (`synchronous=NORMAL` for its
    /// commit, FULL again after): in WAL mode a kill -9 loses nothing, and a power cut only the
    /// last such commits, never one without those before it. For bookkeeping whose loss is
    /// harmless (a stage, a status-file mark, a delivery attempt), never for an outcome.
    func writeTransactionWithoutFlush<T>(_ body: (Database) throws -> T) throws -> T {
        try withConnection { db in
            try db.exec("PRAGMA synchronous = NORMAL")
            defer { _ = try? db.exec("PRAGMA synchronous = FULL") }
            return try db.transaction(.immediate) { try body(db) }
        }
    }

    /// The connection's `PRAGMA journal_mode` (for tests and diagnostics).
    func journalMode() throws -> String {
        try withConnection { db in try db.queryFirst("PRAGMA journal_mode") { $0.string(0) } ?? "" }
    }

    /// The file's `PRAGMA user_version` (for tests and diagnostics).
    func userVersion() throws -> Int {
        try withConnection { db in try Migrations.userVersion(db) }
    }
}
