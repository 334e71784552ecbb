import Foundation

extension PostgresVideoStore {
    /// `VideoStore.reserve`: gives back `giveBack`, then counts up to `count` places in the current
    /// second as far as `limit` allows. One transaction holding a transaction-level advisory lock
    /// of (seller, kind), so two daemons cannot both take the last place.
    public func reserve(sellerId: String, kind: String, limit: Int, count: Int, giveBack: (second: Int64, count: Int)?,
                        now: Date) throws -> RateGrant {
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        let window = RateLimiter.windowSeconds
        let oldest = second - window + 1
        return try write { tx -> RateGrant in
            try tx.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [.text("rate\u{1F}\(sellerId)\u{1F}\(kind)")])
            if let giveBack, giveBack.count > 0 {
                try tx.run("UPDATE rate_counts SET count = GREATEST(0, count - $1) WHERE seller_id = $2 AND kind = $3 AND second = $4",
                           [.integer(Int64(giveBack.count)), .text(sellerId), .text(kind), .integer(giveBack.second)])
            }
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
                    if used - freed < Int64(limit) { return .refused(waitSeconds: Int(max(1, rows.int64(row, 0) + window - second))) }
                }
                return .refused(waitSeconds: Int(window))
            }
            let granted = min(Int64(max(1, count)), Int64(limit) - used)
            try tx.run(
                """
                INSERT INTO rate_counts (seller_id, kind, second, count) VALUES ($1, $2, $3, $4)
                ON CONFLICT (seller_id, kind, second) DO UPDATE SET count = rate_counts.count + excluded.count
                """,
                [.text(sellerId), .text(kind), .integer(second), .integer(granted)])
            return .granted(count: Int(granted), second: second)
        }
    }
}

extension PostgresVideoStore {
    /// One place (`reserve` of one): nil when counted, else the seconds until one frees up.
    /// Until this driver conforms to `VideoStore`, whose extension provides the same.
    public func take(sellerId: String, kind: String, limit: Int, now: Date = Date()) throws -> Int? {
        switch try reserve(sellerId: sellerId, kind: kind, limit: limit, count: 1, giveBack: nil, now: now) {
        case .granted: return nil
        case .refused(let wait): return wait
        }
    }
}
