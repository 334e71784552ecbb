import Foundation

/// The webhook outbox's API (CONTRACT section 9): routing, the delivery worker's queue, the
/// `webhooks` command's listing and retry, and the metrics counters. Events themselves are
/// recorded by the changes that cause them (`Events`), never here.
extension SQLiteVideoStore {
    /// Sets how changes become events: `routing` is asked at every change (so a reloaded config
    /// applies to the next one); `onEventsCommitted` runs after each commit that recorded one.
    /// A store without a provider records no events.
    public func setOutbox(_ routing: @escaping @Sendable () -> OutboxRouting,
                          onEventsCommitted: (@Sendable () -> Void)?) throws {
        try withConnection { db in
            db.outbox = routing
            db.onEventsCommitted = onEventsCommitted
        }
    }

    static let deliveryColumns = """
        d.seq, e.id, e.type, d.video_id, d.endpoint_url, d.state, d.attempts, d.window_start, d.next_attempt_at,
        d.last_attempt_at, d.last_status, d.last_error, d.finished_at, e.created_at, e.body
        """

    /// The pending deliveries to `endpointUrl` that are due at `now` and first in line for their
    /// video (an earlier pending event of the same video to the same endpoint holds later ones
    /// back), soonest first. `partition` (index, count) keeps only the videos of one of `count`
    /// disjoint sets (by the video id's last character), so that several senders can share an
    /// endpoint and a video's events still go through one of them, in order.
    public func dueDeliveries(endpointUrl: String, partition: (index: Int, count: Int), now: Date,
                              limit: Int) throws -> [DeliveryRecord] {
        try withConnection { db in try Self.due(db, endpointUrl, partition, now, limit) }
    }

    /// Hands out the deliveries `dueDeliveries` would, claimed: in the same IMMEDIATE transaction
    /// each one's next attempt moves to `now + claimSeconds`, so no other sender sees it while
    /// this one posts it; `recordDeliveryAttempt` then sets its real next attempt.
    public func claimDueDeliveries(endpointUrl: String, partition: (index: Int, count: Int), owner: String, now: Date,
                                   claimSeconds: Double, limit: Int) throws -> [DeliveryRecord] {
        let until = Timestamp.millis(now) + Timestamp.millis(seconds: claimSeconds)
        return try writeTransaction { db in
            let rows = try Self.due(db, endpointUrl, partition, now, limit)
            for row in rows {
                _ = try db.run("UPDATE deliveries SET next_attempt_at = ?, claimed_by = ? WHERE seq = ? AND state = 'pending'",
                               [.integer(until), .text(owner), .integer(row.seq)])
            }
            return rows
        }
    }

    /// Makes the pending deliveries claimed by an owner that starts with `ownerPrefix` due at `now`
    /// and unclaimed (a restarted daemon frees its dead predecessor's claims). Returns how many.
    @discardableResult
    public func releaseDeliveryClaims(ownerPrefix: String, now: Date) throws -> Int {
        try writeTransaction { db in
            try db.run(
                """
                UPDATE deliveries SET next_attempt_at = ?, claimed_by = NULL
                WHERE state = 'pending' AND claimed_by IS NOT NULL AND substr(claimed_by, 1, length(?)) = ?
                """,
                [.integer(Timestamp.millis(now)), .text(ownerPrefix), .text(ownerPrefix)])
        }
    }

    private static func due(_ db: Database, _ endpointUrl: String, _ partition: (index: Int, count: Int), _ now: Date,
                            _ limit: Int) throws -> [DeliveryRecord] {
        var rows: [DeliveryRecord] = []
        try db.query(
            """
            SELECT \(deliveryColumns) FROM deliveries d JOIN events e ON e.seq = d.event_seq
            WHERE \(firstInLine) AND d.next_attempt_at <= ?
            ORDER BY d.next_attempt_at, d.seq LIMIT ?
            """,
            firstInLineParams(endpointUrl, partition) + [.integer(Timestamp.millis(now)), .integer(Int64(limit))]
        ) { rows.append(try deliveryRecord($0)) }
        return rows
    }

    /// When the next delivery `dueDeliveries` would hand out (same endpoint and partition) is
    /// due, or nil when there is none; deliveries held back behind an earlier one do not count.
    public func nextDeliveryDue(endpointUrl: String, partition: (index: Int, count: Int)) throws -> Date? {
        try withConnection { db in
            let next = try db.queryFirst(
                "SELECT MIN(d.next_attempt_at) FROM deliveries d WHERE \(Self.firstInLine)",
                Self.firstInLineParams(endpointUrl, partition)
            ) { $0.optionalInt64(0) } ?? nil
            return next.map(Self.date)
        }
    }

    /// Pending deliveries `d` to one endpoint, of one partition of the videos, with no earlier
    /// pending delivery of the same video to that endpoint (parameters: `firstInLineParams`).
    private static let firstInLine = """
        d.endpoint_url = ? AND d.state = 'pending' AND unicode(substr(d.video_id, -1)) % ? = ?
        AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.endpoint_url = d.endpoint_url
                        AND p.video_id = d.video_id AND p.state = 'pending' AND p.seq < d.seq)
        """

    private static func firstInLineParams(_ endpointUrl: String, _ partition: (index: Int, count: Int)) -> [SQLValue] {
        [.text(endpointUrl), .integer(Int64(max(1, partition.count))), .integer(Int64(partition.index))]
    }

    /// Records one attempt of a pending delivery and what it decided. Returns false when the
    /// delivery was no longer pending (given up meanwhile); the attempt is then not counted.
    ///
    /// Committed with `synchronous=NORMAL`: a kill -9 loses nothing (WAL), and what a power cut can
    /// lose is the last few records, which only makes those deliveries go out again (at least
    /// once), in order (a later record never survives an earlier one in the WAL).
    @discardableResult
    public func recordDeliveryAttempt(seq: Int64, result: DeliveryAttemptResult, httpStatus: Int?, error: String?,
                                      now: Date) throws -> Bool {
        let nowMs = Timestamp.millis(now)
        let (state, next, finished): (DeliveryState, Int64, Int64?)
        switch result {
        case .delivered: (state, next, finished) = (.delivered, nowMs, nowMs)
        case .retry(let at): (state, next, finished) = (.pending, Timestamp.millis(at), nil)
        case .givenUp: (state, next, finished) = (.failed, nowMs, nowMs)
        }
        return try writeTransactionWithoutFlush { db in
                try db.run(
                    """
                    UPDATE deliveries SET state = ?, attempts = attempts + 1, next_attempt_at = ?, last_attempt_at = ?,
                                          last_status = ?, last_error = ?, finished_at = ?, claimed_by = NULL
                    WHERE seq = ? AND state = 'pending'
                    """,
                    [.text(state.rawValue), .integer(next), .integer(nowMs), httpStatus.map { .integer(Int64($0)) } ?? .null,
                     .text(error), finished.map { .integer($0) } ?? .null, .integer(seq)]
                ) == 1
        }
    }

    /// Gives up every pending delivery to an endpoint not in `endpointUrls` (removed from the
    /// config), with `reason` as its last error. Returns how many.
    @discardableResult
    public func giveUpDeliveries(toEndpointsOtherThan endpointUrls: [String], reason: String, now: Date) throws -> Int {
        let placeholders = Array(repeating: "?", count: endpointUrls.count).joined(separator: ", ")
        let filter = endpointUrls.isEmpty ? "" : " AND endpoint_url NOT IN (\(placeholders))"
        return try writeTransaction { db in
            try db.run(
                "UPDATE deliveries SET state = 'failed', last_error = ?, finished_at = ? WHERE state = 'pending'" + filter,
                [.text(reason), .integer(Timestamp.millis(now))] + endpointUrls.map { .text($0) }
            )
        }
    }

    /// Deliveries, newest first: all of them, or only the given-up ones.
    public func deliveries(failedOnly: Bool, limit: Int) throws -> [DeliveryRecord] {
        try withConnection { db in
            var rows: [DeliveryRecord] = []
            try db.query(
                """
                SELECT \(Self.deliveryColumns) FROM deliveries d JOIN events e ON e.seq = d.event_seq
                \(failedOnly ? "WHERE d.state = 'failed'" : "") ORDER BY d.seq DESC LIMIT ?
                """,
                [.integer(Int64(limit))]
            ) { rows.append(try Self.deliveryRecord($0)) }
            return rows
        }
    }

    /// `webhooks retry EVENT_ID`: every given-up delivery of the event becomes pending again, due
    /// now, with a fresh retry window. Returns how many. Throws `.notFound` for an unknown event
    /// and `.invalidState` when none of its deliveries was given up.
    public func retryEvent(id: String, now: Date) throws -> Int {
        let nowMs = Timestamp.millis(now)
        return try writeTransaction { db in
            guard let eventSeq = try db.queryFirst("SELECT seq FROM events WHERE id = ?", [.text(id)], { $0.int64(0) }) else {
                throw StoreError(.notFound, "no event \(id)")
            }
            let changed = try db.run(
                """
                UPDATE deliveries SET state = 'pending', window_start = ?, next_attempt_at = ?, finished_at = NULL
                WHERE event_seq = ? AND state = 'failed'
                """,
                [.integer(nowMs), .integer(nowMs), .integer(eventSeq)]
            )
            if changed == 0 { throw StoreError(.invalidState, "event \(id) has no given-up delivery") }
            db.recordedEvents = true
            return changed
        }
    }

    /// The outbox's counters, read in one snapshot (for `/metrics`).
    public func webhookMetrics(now: Date) throws -> WebhookMetrics {
        try withConnection { db in
            try db.transaction(.deferred) {
                var metrics = WebhookMetrics(delivered: 0, givenUp: 0, pending: 0, failedAttempts: 0, oldestPendingAgeSeconds: 0)
                try db.query("SELECT state, COUNT(*), SUM(attempts) FROM deliveries GROUP BY state") { row in
                    let count = Int(row.int64(1)), attempts = Int(row.int64(2))
                    switch row.string(0) {
                    case "delivered": metrics.delivered = count; metrics.failedAttempts += attempts - count
                    case "failed": metrics.givenUp = count; metrics.failedAttempts += attempts
                    default: metrics.pending = count; metrics.failedAttempts += attempts
                    }
                }
                let oldest = try db.queryFirst(
                    "SELECT MIN(e.created_at) FROM deliveries d JOIN events e ON e.seq = d.event_seq WHERE d.state = 'pending'"
                ) { $0.optionalInt64(0) } ?? nil
                if let oldest { metrics.oldestPendingAgeSeconds = max(0, Double(Timestamp.millis(now) - oldest) / 1000) }
                return metrics
            }
        }
    }

    private static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    private static func deliveryRecord(_ row: Row) throws -> DeliveryRecord {
        guard let state = DeliveryState(rawValue: row.string(5)) else {
            throw StoreError(.corrupt, "unknown delivery state '\(row.string(5))'")
        }
        return DeliveryRecord(
            seq: row.int64(0), eventId: row.string(1), eventType: row.string(2), videoId: row.string(3),
            endpointUrl: row.string(4), state: state, attempts: Int(row.int64(6)), windowStart: date(row.int64(7)),
            nextAttemptAt: date(row.int64(8)), lastAttemptAt: row.optionalInt64(9).map(date),
            lastStatus: row.optionalInt64(10).map { Int($0) }, lastError: row.optionalString(11),
            finishedAt: row.optionalInt64(12).map(date), createdAt: date(row.int64(13)), body: row.string(14)
        )
    }
}
