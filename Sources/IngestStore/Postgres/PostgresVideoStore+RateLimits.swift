import Foundation

extension PostgresVideoStore {
    /// Counts one request of `kind` by `sellerId` unless `limit` were already reached in the last
    /// minute (as `RateLimiter.take`): nil when counted, or the whole seconds until a place frees
    /// up (at least 1). The check and the count are one transaction holding a transaction-level
    /// advisory lock of (seller, kind), so two daemons cannot both take the last place.
    public func take(sellerId: String, kind: String, limit: Int, now: Date = Date()) throws -> Int? {
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        let window = RateLimiter.windowSeconds
        let oldest = second - window + 1
        return try write { tx -> Int? in
            try tx.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [.text("rate\u{1F}\(sellerId)\u{1F}\(kind)")])
            try tx.run("DELETE FROM rate_counts WHERE seller_id = $1 AND kind = $2 AND second < $3",
                       [.text(sellerId), .text(kind), .integer(oldest)])
            let rows = try tx.execute("SELECT second, count FROM rate_counts WHERE seller_id = $1 AND kind = $2 ORDER BY second",
                                      [.text(sellerId), .text(kind)])
            var used: Int64 = 0
            for row in 0..<rows.rowCount { used += rows.int64(row, 1) }
            if used >= Int64(limit) {
                // Free places appear as the oldest seconds leave the window.
                var freed: Int64 = 0
                for row in 0..<rows.rowCount {
                    freed += rows.int64(row, 1)
                    if used - freed < Int64(limit) { return Int(max(1, rows.int64(row, 0) + window - second)) }
                }
                return Int(window)
            }
            try tx.run(
                """
                INSERT INTO rate_counts (seller_id, kind, second, count) VALUES ($1, $2, $3, 1)
                ON CONFLICT (seller_id, kind, second) DO UPDATE SET count = rate_counts.count + 1
                """,
                [.text(sellerId), .text(kind), .integer(second)])
            return nil
        }
    }
}
