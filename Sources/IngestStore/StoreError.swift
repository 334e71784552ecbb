import Foundation

/// The one error type of the store layer.
///
/// `code` says what kind of failure it was; `sqliteCode` keeps SQLite's extended
/// result code (0 when the error did not come from SQLite; another driver leaves it 0
/// and puts its engine's code in the message). `.io`, `.full`, `.busy`, `.unavailable` and
/// `.serialization` are faults of the worker itself (disk, file system, contention, a store that
/// is away), never the seller's: see `isWorkerFault`.
///
/// SQLite's engine never produces `.unavailable` or `.serialization`: a lock held past the busy
/// timeout is `.busy`, a file that cannot be opened or read `.io` (both worker faults too); only
/// the test hook `StoreDownFault` makes the SQLite driver answer `.unavailable`.
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure.
    public enum Code: String, Sendable, Equatable {
        /// The database stayed locked by another connection past the busy timeout.
        case busy
        /// An I/O error, or the database file could not be opened.
        case io
        /// The disk (or the database) is full.
        case full
        /// The file is not a database, or the database is damaged.
        case corrupt
        /// A constraint (unique, check, foreign key) was violated.
        case constraint
        /// The video or job does not exist (or the video is deleted, for moderation).
        case notFound
        /// The store was used wrongly (bad arguments, an API misuse, a newer schema).
        case misuse
        /// The operation is not allowed in the record's current state (for example approving a FAILED video).
        case invalidState
        /// The job's lease is no longer held by the caller.
        case leaseLost
        /// The database server cannot be reached, or the connection broke mid-statement (PostgreSQL):
        /// the daemon retries; never a seller-facing failure.
        case unavailable
        /// The transaction kept losing to concurrent ones (PostgreSQL SQLSTATE 40001/40P01) after its retries.
        case serialization
        /// Anything else.
        case other
    }

    /// The kind of failure.
    public let code: Code
    /// A human-readable explanation, including what the store was doing.
    public let message: String
    /// SQLite's extended result code, or 0 when the error did not come from SQLite.
    public let sqliteCode: Int32

    /// Creates an error.
    public init(_ code: Code, _ message: String, sqliteCode: Int32 = 0) {
        self.code = code
        self.message = message
        self.sqliteCode = sqliteCode
    }

    /// True for faults of the worker itself (disk full, I/O error, lock contention, a database server away):
    /// the job should be retried, never failed for the seller.
    public var isWorkerFault: Bool {
        code == .io || code == .full || code == .busy || code == .unavailable || code == .serialization
    }

    /// `store error <code>: <message> (sqlite <n>)`.
    public var description: String {
        sqliteCode == 0
            ? "store error \(code.rawValue): \(message)"
            : "store error \(code.rawValue): \(message) (sqlite \(sqliteCode))"
    }
}
