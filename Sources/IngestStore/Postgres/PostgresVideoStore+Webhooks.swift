import Foundation

/// The webhook outbox's API (CONTRACT section 9), as `VideoStore`'s. Events themselves are
/// recorded by the changes that cause them (`PostgresEvents`), never here.
extension PostgresVideoStore {
    private static let deliveryColumns = """
        d.seq, e.id, e.type, d.video_id, d.endpoint_url, d.state, d.attempts, d.window_start, d.next_attempt_at,
        d.last_attempt_at, d.last_status, d.last_error, d.finished_at, e.created_at, e.body
        """

    /// Pending deliveries `d` to endpoint `$1`, of partition `$3` of `$2` (by the code of the video
    /// id's last character), with no earlier pending delivery of the same video to that endpoint.
    private static let firstInLine = """
        d.endpoint_url = $1 AND d.state = 'pending' AND ascii(right(d.video_id, 1)) % $2 = $3
        AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.endpoint_url = d.endpoint_url
                        AND p.video_id = d.video_id AND p.state = 'pending' AND p.seq < d.seq)
        """

    private static func firstInLineParams(_ endpointUrl: String, _ partition: (index: Int, count: Int)) -> [SQLValue] {
        [.text(endpointUrl), .integer(Int64(max(1, partition.count))), .integer(Int64(partition.index))]
    }

    /// The pending deliveries to `endpointUrl` due at `now` and first in line for their video, soonest first.
    public func dueDeliveries(endpointUrl: String, partition: (index: Int, count: Int) = (0, 1), now: Date = Date(),
                              limit: Int = 50) throws -> [DeliveryRecord] {
        try read { connection in
            let rows = try connection.execute(
                """
                SELECT \(Self.deliveryColumns) FROM deliveries d JOIN events e ON e.seq = d.event_seq
                WHERE \(Self.firstInLine) AND d.next_attempt_at <= $4
                ORDER BY d.next_attempt_at, d.seq LIMIT $5
                """,
                Self.firstInLineParams(endpointUrl, partition) + [.integer(Timestamp.millis(now)), .integer(Int64(limit))]
            )
            return try (0..<rows.rowCount).map { try Self.deliveryRecord(rows, $0) }
        }
    }

    /// Hands out what `dueDeliveries` would, claimed for `owner`: one statement locks the due rows
    /// (`FOR UPDATE SKIP LOCKED`, so concurrent claimers in the fleet never get the same one),
    /// moves each one's next attempt to `now + claimSeconds` and returns it as it was before.
    public func claimDueDeliveries(endpointUrl: String, partition: (index: Int, count: Int), owner: String, now: Date,
                                   claimSeconds: Double, limit: Int) throws -> [DeliveryRecord] {
        let nowMs = Timestamp.millis(now)
        let until = nowMs + Timestamp.millis(seconds: claimSeconds)
        return try write { tx in
            let due = try tx.execute(
                """
                SELECT d.seq FROM deliveries d
                WHERE \(Self.firstInLine) AND d.next_attempt_at <= $4
                ORDER BY d.next_attempt_at, d.seq LIMIT $5 FOR UPDATE OF d SKIP LOCKED
                """,
                Self.firstInLineParams(endpointUrl, partition) + [.integer(nowMs), .integer(Int64(limit))]
            )
            let seqs = (0..<due.rowCount).map { due.int64($0, 0) }
            guard !seqs.isEmpty else { return [] }
            let rows = try tx.execute(
                """
                SELECT \(Self.deliveryColumns) FROM deliveries d JOIN events e ON e.seq = d.event_seq
                WHERE d.seq = ANY($1::bigint[]) ORDER BY d.next_attempt_at, d.seq
                """,
                [.text("{" + seqs.map(String.init).joined(separator: ",") + "}")]
            )
            let records = try (0..<rows.rowCount).map { try Self.deliveryRecord(rows, $0) }
            try tx.run("UPDATE deliveries SET next_attempt_at = $1, claimed_by = $2 WHERE seq = ANY($3::bigint[])",
                       [.integer(until), .text(owner), .text("{" + seqs.map(String.init).joined(separator: ",") + "}")])
            return records
        }
    }

    /// Makes the pending deliveries claimed by an owner that starts with `ownerPrefix` due at `now`
    /// and unclaimed (a restarted daemon frees its dead predecessor's claims). Returns how many.
    @discardableResult
    public func releaseDeliveryClaims(ownerPrefix: String, now: Date) throws -> Int {
        try write { tx in
            try tx.run(
                """
                UPDATE deliveries SET next_attempt_at = $1, claimed_by = NULL
                WHERE state = 'pending' AND claimed_by IS NOT NULL AND left(claimed_by, length($2)) = $2
                """,
                [.integer(Timestamp.millis(now)), .text(ownerPrefix)])
        }
    }

    /// When the next delivery `dueDeliveries` would hand out is due, or nil when there is none.
    public func nextDeliveryDue(endpointUrl: String, partition: (index: Int, count: Int) = (0, 1)) throws -> Date? {
        try read { connection in
            let rows = try connection.execute("SELECT MIN(d.next_attempt_at) FROM deliveries d WHERE \(Self.firstInLine)",
                                              Self.firstInLineParams(endpointUrl, partition))
            return rows.optionalInt64(0, 0).map(Self.date)
        }
    }

    /// Records one attempt of a pending delivery and what it decided (committed without waiting
    /// for the WAL flush: a lost record only sends the delivery again). Returns false when the
    /// delivery was no longer pending.
    @discardableResult
    public func recordDeliveryAttempt(seq: Int64, result: DeliveryAttemptResult, httpStatus: Int?, error: String?,
                                      now: Date = Date()) throws -> Bool {
        let nowMs = Timestamp.millis(now)
        let (state, next, finished): (DeliveryState, Int64, Int64?)
        switch result {
        case .delivered: (state, next, finished) = (.delivered, nowMs, nowMs)
        case .retry(let at): (state, next, finished) = (.pending, Timestamp.millis(at), nil)
        case .givenUp: (state, next, finished) = (.failed, nowMs, nowMs)
        }
        return try write { tx in
            try tx.execute("SET LOCAL synchronous_commit = off")
            return try tx.run(
                """
                UPDATE deliveries SET state = $1, attempts = attempts + 1, next_attempt_at = $2, last_attempt_at = $3,
                                      last_status = $4, last_error = $5, finished_at = $6, claimed_by = NULL
                WHERE seq = $7 AND state = 'pending'
                """,
                [.text(state.rawValue), .integer(next), .integer(nowMs), httpStatus.map { .integer(Int64($0)) } ?? .null,
                 .text(error), finished.map { .integer($0) } ?? .null, .integer(seq)]
            ) == 1
        }
    }

    /// Gives up every pending delivery to an endpoint not in `endpointUrls`. Returns how many.
    @discardableResult
    public func giveUpDeliveries(toEndpointsOtherThan endpointUrls: [String], reason: String, now: Date = Date()) throws -> Int {
        try write { tx in
            try tx.run(
                "UPDATE deliveries SET state = 'failed', last_error = $1, finished_at = $2 WHERE state = 'pending' AND NOT (endpoint_url = ANY($3::text[]))",
                [.text(reason), .integer(Timestamp.millis(now)), PGArray.text(endpointUrls)]
            )
        }
    }

    /// Deliveries, newest first: all of them, or only the given-up ones.
    public func deliveries(failedOnly: Bool, limit: Int = 1000) throws -> [DeliveryRecord] {
        try read { connection in
            let rows = try connection.execute(
                """
                SELECT \(Self.deliveryColumns) FROM deliveries d JOIN events e ON e.seq = d.event_seq
                \(failedOnly ? "WHERE d.state = 'failed'" : "") ORDER BY d.seq DESC LIMIT $1
                """,
                [.integer(Int64(limit))]
            )
            return try (0..<rows.rowCount).map { try Self.deliveryRecord(rows, $0) }
        }
    }

    /// `webhooks retry EVENT_ID`: every given-up delivery of the event becomes pending again, due
    /// now. Returns how many. Throws `.notFound` for an unknown event, `.invalidState` when none was given up.
    public func retryEvent(id: String, now: Date = Date()) throws -> Int {
        let nowMs = Timestamp.millis(now)
        return try write { tx in
            let event = try tx.execute("SELECT seq FROM events WHERE id = $1", [.text(id)])
            guard event.rowCount > 0 else { throw StoreError(.notFound, "no event \(id)") }
            let changed = try tx.run(
                """
                UPDATE deliveries SET state = 'pending', window_start = $1, next_attempt_at = $1, finished_at = NULL
                WHERE event_seq = $2 AND state = 'failed'
                """,
                [.integer(nowMs), .integer(event.int64(0, 0))]
            )
            if changed == 0 { throw StoreError(.invalidState, "event \(id) has no given-up delivery") }
            tx.recordedEvents = true
            return changed
        }
    }

    /// The outbox's counters, read in one snapshot (for `/metrics`).
    public func webhookMetrics(now: Date = Date()) throws -> WebhookMetrics {
        try snapshot { connection in
            var metrics = WebhookMetrics(delivered: 0, givenUp: 0, pending: 0, failedAttempts: 0, oldestPendingAgeSeconds: 0)
            let rows = try connection.execute("SELECT state, COUNT(*), SUM(attempts) FROM deliveries GROUP BY state")
            for row in 0..<rows.rowCount {
                let count = Int(rows.int64(row, 1)), attempts = Int(rows.int64(row, 2))
                switch rows.string(row, 0) {
                case "delivered": metrics.delivered = count; metrics.failedAttempts += attempts - count
                case "failed": metrics.givenUp = count; metrics.failedAttempts += attempts
                default: metrics.pending = count; metrics.failedAttempts += attempts
                }
            }
            let oldest = try connection.execute(
                "SELECT MIN(e.created_at) FROM deliveries d JOIN events e ON e.seq = d.event_seq WHERE d.state = 'pending'"
            ).optionalInt64(0, 0)
            if let oldest { metrics.oldestPendingAgeSeconds = max(0, Double(Timestamp.millis(now) - oldest) / 1000) }
            return metrics
        }
    }

    private static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    private static func deliveryRecord(_ rows: PGResult, _ row: Int) throws -> DeliveryRecord {
        guard let state = DeliveryState(rawValue: rows.string(row, 5)) else {
            throw StoreError(.corrupt, "unknown delivery state '\(rows.string(row, 5))'")
        }
        return DeliveryRecord(
            seq: rows.int64(row, 0), eventId: rows.string(row, 1), eventType: rows.string(row, 2), videoId: rows.string(row, 3),
            endpointUrl: rows.string(row, 4), state: state, attempts: Int(rows.int64(row, 6)), windowStart: date(rows.int64(row, 7)),
            nextAttemptAt: date(rows.int64(row, 8)), lastAttemptAt: rows.optionalInt64(row, 9).map(date),
            lastStatus: rows.optionalInt64(row, 10).map { Int($0) }, lastError: rows.optionalString(row, 11),
            finishedAt: rows.optionalInt64(row, 12).map(date), createdAt: date(rows.int64(row, 13)), body: rows.string(row, 14)
        )
    }
}
