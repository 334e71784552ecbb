import Foundation

extension PostgresVideoStore {
    /// Answers when the database can be read (for `/readyz`); throws `.unavailable` while the server is away.
    public func ping() throws {
        _ = try read { try $0.execute("SELECT 1") }
    }

    /// The jobs by state at `now`, in one snapshot.
    public func jobCounts(now: Date = Date()) throws -> JobCounts {
        let millis = Timestamp.millis(now)
        return try snapshot { connection in
            let rows = try connection.execute(
                """
                SELECT state, run_at <= $1, COUNT(*), MIN(run_at) FROM jobs
                WHERE state IN ('available', 'running') GROUP BY state, run_at <= $1
                """,
                [.integer(millis)]
            )
            var counts = JobCounts(queued: 0, running: 0, waiting: 0, oldestQueuedSince: nil)
            for row in 0..<rows.rowCount {
                let n = Int(rows.int64(row, 2))
                switch (rows.string(row, 0), rows.bool(row, 1)) {
                case ("running", _): counts.running += n
                case (_, true):
                    counts.queued += n
                    counts.oldestQueuedSince = Date(timeIntervalSince1970: Double(rows.int64(row, 3)) / 1000)
                default: counts.waiting += n
                }
            }
            return counts
        }
    }
}
