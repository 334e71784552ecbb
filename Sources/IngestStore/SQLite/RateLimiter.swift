import Foundation

/// The SQLite driver's per-seller request counts over a sliding minute (one row per seller, kind and second), kept
/// in the store so that every daemon sharing it counts against the same limit.
///
/// It has a connection of its own with `synchronous=NORMAL`: a count is bookkeeping, not a job,
/// so a commit need not wait for an fsync (a power cut may forget the last second of counts;
/// an application crash forgets nothing in WAL mode). One IMMEDIATE transaction checks and
/// counts, so two processes cannot both take the last place.
final class RateLimiter: @unchecked Sendable {
    /// The window.
    static let windowSeconds: Int64 = 60

    private let db: Database
    private let lock = NSLock()

    /// Opens the store file at `path` (migrating it like `SQLiteVideoStore`).
    init(path: String) throws {
        db = try Database(path: path)
        try db.setBusyTimeout(milliseconds: 5000)
        _ = try db.queryFirst("PRAGMA journal_mode = WAL") { $0.string(0) }
        try db.exec("PRAGMA synchronous = NORMAL")
        try Migrations.apply(to: db)
    }

    /// `VideoStore.reserve` in one IMMEDIATE transaction: gives back `giveBack`, then counts up to
    /// `count` places in the current second as far as `limit` allows.
    func reserve(sellerId: String, kind: String, limit: Int, count: Int, giveBack: (second: Int64, count: Int)?,
                 now: Date) throws -> RateGrant {
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        let oldest = second - Self.windowSeconds + 1
        return try lock.withLock {
            try db.transaction(.immediate) { () throws -> RateGrant in
                if let giveBack, giveBack.count > 0 {
                    _ = try db.run("UPDATE rate_counts SET count = max(0, count - ?) WHERE seller_id = ? AND kind = ? AND second = ?",
                                   [.integer(Int64(giveBack.count)), .text(sellerId), .text(kind), .integer(giveBack.second)])
                }
                _ = try db.run("DELETE FROM rate_counts WHERE seller_id = ? AND kind = ? AND second < ?",
                               [.text(sellerId), .text(kind), .integer(oldest)])
                var used: Int64 = 0
                var rows: [(second: Int64, count: Int64)] = []
                try db.query("SELECT second, count FROM rate_counts WHERE seller_id = ? AND kind = ? ORDER BY second",
                             [.text(sellerId), .text(kind)]) { row in
                    rows.append((row.int64(0), row.int64(1)))
                    used += row.int64(1)
                }
                if used >= Int64(limit) {
                    // Free places appear as the oldest seconds leave the window.
                    var freed: Int64 = 0
                    for row in rows {
                        freed += row.count
                        if used - freed < Int64(limit) { return .refused(waitSeconds: Int(max(1, row.second + Self.windowSeconds - second))) }
                    }
                    return .refused(waitSeconds: Int(Self.windowSeconds))
                }
                let granted = min(Int64(max(1, count)), Int64(limit) - used)
                _ = try db.run(
                    """
                    INSERT INTO rate_counts (seller_id, kind, second, count) VALUES (?, ?, ?, ?)
                    ON CONFLICT (seller_id, kind, second) DO UPDATE SET count = count + excluded.count
                    """,
                    [.text(sellerId), .text(kind), .integer(second), .integer(granted)])
                return .granted(count: Int(granted), second: second)
            }
        }
    }
}
