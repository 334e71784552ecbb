import Foundation

/// The durable store in PostgreSQL (CONTRACT section 10: `store.url` names a `postgresql://`
/// database): the same videos, jobs, keys, outbox and rate counts as the SQLite store, with the
/// same methods and the same meaning, for a fleet of daemons on one database.
///
/// One instance holds one libpq connection behind a lock and is shared by a process's threads
/// (the HTTP API keeps a few instances as a pool). Concurrency between connections is the
/// database's: claims are one `FOR UPDATE SKIP LOCKED` statement, every lease-guarded write checks
/// owner and generation in its own statement, supersede runs SERIALIZABLE (retried on 40001)
/// with `product_holders` as a primary key, idempotency keys are a primary key (a create that
/// loses the race re-reads the winner), and a rate-limit check holds a transaction-level advisory
/// lock of its (seller, kind). Creating a job sends `NOTIFY video_ingest_jobs` (`PGListener`).
///
/// The API is split by concern like `VideoStore`'s: `PostgresVideoStore+Intake`, `+Jobs`,
/// `+Outcomes`, `+Moderation`, `+Reads`, `+Objects`, `+Webhooks`, `+StatusFiles`, `+Health`.
public final class PostgresVideoStore: VideoStore, @unchecked Sendable {
    /// The schema version this build creates and expects.
    public static let schemaVersion: Int = PostgresMigrations.latestVersion

    /// Where the store is, without its password (for logs): `postgresql://user@host:port/db`.
    public let describesLocation: String

    let connection: PGConnection
    /// The URL and password file it was opened with (a `makeJobWakeup` listener connects alike).
    let url: String
    let passwordFile: String?
    /// The fleet locks this instance's session holds, with the connection's reset count when taken
    /// (guarded by `lock`, through `read`).
    var heldFleetLocks: [FleetLock: Int] = [:]
    private let lock = NSLock()
    private var outbox: (@Sendable () -> OutboxRouting)?
    private var onEventsCommitted: (@Sendable () -> Void)?

    /// Connects to `url` (libpq's URI; the password from `PGPASSWORD`/`.pgpass`, or the first line
    /// of `passwordFile`) and applies pending migrations under the migration advisory lock.
    ///
    /// Throws `.unavailable` when the server cannot be reached, `.misuse` for a bad URL or a
    /// database written by a newer build.
    public init(url: String, passwordFile: String? = nil) throws {
        connection = try PGConnection(url: url, passwordFile: passwordFile)
        self.url = url
        self.passwordFile = passwordFile
        describesLocation = connection.location
        try PostgresMigrations.apply(to: connection)
    }

    /// The schema version the database is at.
    public var schemaVersion: Int {
        (try? read { try PostgresMigrations.currentVersion($0) }) ?? 0
    }

    /// Runs `body` with the connection while holding the store's lock. A read is idempotent, so
    /// one that finds the connection broken (the server restarted since the last use) runs
    /// once more on a new connection; a server still away throws `.unavailable`.
    func read<T>(_ body: (PGConnection) throws -> T) throws -> T {
        try lock.withLock {
            do {
                return try body(connection)
            } catch let error as StoreError where error.code == .unavailable {
                try connection.ensureConnected()
                return try body(connection)
            }
        }
    }

    /// Runs `body` with the connection in one read-only snapshot (REPEATABLE READ), so that what
    /// it reads agrees while other daemons write.
    func snapshot<T>(_ body: (PGConnection) throws -> T) throws -> T {
        try read { connection in try connection.transaction(.repeatableRead) { try body(connection) } }
    }

    /// Runs `body` in one transaction at `isolation` while holding the store's lock (retried as
    /// `PGConnection.transaction` says, so `body` must not keep effects outside the database).
    /// The outbox's pending events are inserted just before COMMIT; `onEventsCommitted` runs
    /// after a commit that recorded one.
    func write<T>(_ isolation: PGIsolation = .readCommitted, retryOnConstraint: Bool = false,
                  _ body: (PGTransaction) throws -> T) throws -> T {
        var recordedEvents = false
        var notify: (@Sendable () -> Void)?
        let value: T = try lock.withLock {
            notify = onEventsCommitted
            return try connection.transaction(isolation, retryOnConstraint: retryOnConstraint) {
                let tx = PGTransaction(connection, outbox: outbox)
                let value = try body(tx)
                while !tx.beforeCommit.isEmpty { try tx.beforeCommit.removeFirst()(tx) }
                recordedEvents = tx.recordedEvents
                return value
            }
        }
        if recordedEvents { notify?() }
        return value
    }

    /// Sets how changes become events: `routing` is asked at every change; `onEventsCommitted`
    /// runs after each commit that recorded one. A store without a provider records no events.
    public func setOutbox(_ routing: @escaping @Sendable () -> OutboxRouting,
                          onEventsCommitted: (@Sendable () -> Void)? = nil) throws {
        lock.withLock {
            outbox = routing
            self.onEventsCommitted = onEventsCommitted
        }
    }

    /// Takes the session-level advisory lock `key` on this store's connection if no other
    /// connection holds it (for example: one rescuer in the fleet). Returns whether it did.
    public func tryAdvisoryLock(_ key: Int64) throws -> Bool {
        try read { try $0.tryAdvisoryLock(key) }
    }

    /// Releases an advisory lock taken with `tryAdvisoryLock`.
    public func advisoryUnlock(_ key: Int64) throws {
        try read { try $0.advisoryUnlock(key) }
    }
}

/// One open transaction of a `PostgresVideoStore`: the connection, the outbox routing in force,
/// and the work that runs just before COMMIT (the outbox fixes each event's body there).
final class PGTransaction {
    let connection: PGConnection
    let outbox: (@Sendable () -> OutboxRouting)?
    /// Work that runs at the end of the transaction, just before COMMIT, in order.
    var beforeCommit: [(PGTransaction) throws -> Void] = []
    /// Set when the transaction inserted deliveries.
    var recordedEvents = false

    init(_ connection: PGConnection, outbox: (@Sendable () -> OutboxRouting)?) {
        self.connection = connection
        self.outbox = outbox
    }

    /// Runs one statement in the transaction.
    @discardableResult
    func execute(_ sql: String, _ params: [SQLValue] = []) throws -> PGResult {
        try connection.execute(sql, params)
    }

    /// Runs one statement in the transaction; returns how many rows it changed.
    @discardableResult
    func run(_ sql: String, _ params: [SQLValue] = []) throws -> Int {
        try connection.run(sql, params)
    }
}

/// PostgreSQL's text form of a `text[]` parameter: `{"a","b"}` with `\` and `"` escaped.
enum PGArray {
    static func text(_ values: [String]) -> SQLValue {
        let items = values.map { value in
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return .text("{" + items.joined(separator: ",") + "}")
    }

    /// A `bigint[]` parameter: `{1,2,3}`.
    static func bigint(_ values: [Int64]) -> SQLValue {
        .text("{" + values.map(String.init).joined(separator: ",") + "}")
    }
}
