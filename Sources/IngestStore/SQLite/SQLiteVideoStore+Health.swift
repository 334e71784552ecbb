import Foundation

extension SQLiteVideoStore {
    /// Answers when the store can be read (for `/readyz`).
    public func ping() throws {
        _ = try withConnection { db in try db.queryFirst("SELECT 1") { $0.int64(0) } }
    }

    /// The jobs by state at `now`.
    public func jobCounts(now: Date) throws -> JobCounts {
        let millis = Timestamp.millis(now)
        return try withConnection { db in
            try db.transaction(.deferred) {
                var counts = JobCounts(queued: 0, running: 0, waiting: 0, oldestQueuedSince: nil)
                try db.query(
                    """
                    SELECT state, run_at <= ?, COUNT(*), MIN(run_at) FROM jobs
                    WHERE state IN ('available', 'running') GROUP BY state, run_at <= ?
                    """,
                    [.integer(millis), .integer(millis)]
                ) { row in
                    let n = Int(row.int64(2))
                    switch (row.string(0), row.int64(1) != 0) {
                    case ("running", _): counts.running += n
                    case (_, true):
                        counts.queued += n
                        counts.oldestQueuedSince = Date(timeIntervalSince1970: Double(row.int64(3)) / 1000)
                    default: counts.waiting += n
                    }
                }
                return counts
            }
        }
    }
}
