import Foundation

extension VideoStore {
    /// The columns `jobRecord(_:)` reads, in order.
    static let jobColumns =
        "id, video_id, state, stage, attempt, fault_attempts, run_at, lease_owner, lease_expires_at, last_error, stage_data"

    /// Claims the next available job whose `run_at` has come (oldest `run_at`, then id),
    /// in one atomic statement: it becomes `running`, its attempt grows by one and
    /// `owner` holds it for `leaseSeconds`. Nil when nothing is claimable.
    public func claimJob(owner: String, leaseSeconds: Double, now: Date = Date()) throws -> JobRecord? {
        let nowMs = Timestamp.millis(now)
        return try writeTransaction { db in
            try db.queryFirst(
                """
                UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_owner = ?, lease_expires_at = ?
                WHERE id = (SELECT id FROM jobs WHERE state = 'available' AND run_at <= ? ORDER BY run_at, id LIMIT 1)
                RETURNING \(Self.jobColumns)
                """,
                [.text(owner), .integer(nowMs + Timestamp.millis(seconds: leaseSeconds)), .integer(nowMs)],
                Self.jobRecord
            )
        }
    }

    /// Extends a running job's lease to `now + leaseSeconds`.
    /// Throws `.leaseLost` when the job is not running under `owner` any more.
    public func renewLease(jobId: Int64, owner: String, leaseSeconds: Double, now: Date = Date()) throws {
        let expires = Timestamp.millis(now) + Timestamp.millis(seconds: leaseSeconds)
        try writeTransaction { db in
            let changed = try db.run(
                "UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?",
                [.integer(expires), .integer(jobId), .text(owner)]
            )
            if changed == 0 { throw StoreError(.leaseLost, "job \(jobId) is not running under \(owner)") }
        }
    }

    /// Records that the job finished `stage` (the caller's name), with the caller's
    /// `stageData` blob; sets the video's `stage` to `videoStage` when given and bumps its `updated_at`.
    public func recordStage(jobId: Int64, stage: String, stageData: String?, videoStage: String?) throws {
        let stamp = Timestamp.iso(Date())
        try writeTransaction { db in
            let changed = try db.run(
                "UPDATE jobs SET stage = ?, stage_data = ? WHERE id = ?",
                [.text(stage), .text(stageData), .integer(jobId)]
            )
            if changed == 0 { throw StoreError(.notFound, "no job \(jobId)") }
            try db.run(
                """
                UPDATE videos SET stage = COALESCE(?, stage), updated_at = ?
                WHERE id = (SELECT video_id FROM jobs WHERE id = ?)
                """,
                [.text(videoStage), .text(stamp), .integer(jobId)]
            )
        }
    }

    /// Sets the stage and progress shown in a video's document. Cheap: committed with
    /// `synchronous=NORMAL` (a lost progress update after a power cut does not matter).
    public func setProgress(videoId: String, stage: String, progress: Double?) throws {
        let stamp = Timestamp.iso(Date())
        try withConnection { db in
            try db.exec("PRAGMA synchronous = NORMAL")
            defer { _ = try? db.exec("PRAGMA synchronous = FULL") }
            let changed = try db.run(
                "UPDATE videos SET stage = ?, progress = ?, updated_at = ? WHERE id = ?",
                [.text(stage), .real(progress), .text(stamp), .text(videoId)]
            )
            if changed == 0 { throw StoreError(.notFound, "no video \(videoId)") }
        }
    }

    /// Puts a running job back to `available`, claimable from `runAt` (retry with backoff);
    /// keeps `error` as its last error and counts a fault when `countAsFault`.
    /// Throws `.notFound` for an unknown job, `.invalidState` when it is not running.
    public func releaseJob(jobId: Int64, runAt: Date, error: String?, countAsFault: Bool) throws {
        try writeTransaction { db in
            let changed = try db.run(
                """
                UPDATE jobs SET state = 'available', run_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                                last_error = COALESCE(?, last_error), fault_attempts = fault_attempts + ?
                WHERE id = ? AND state = 'running'
                """,
                [.integer(Timestamp.millis(runAt)), .text(error), .integer(countAsFault ? 1 : 0), .integer(jobId)]
            )
            if changed == 0 { try Self.throwJobNotRunning(db, jobId: jobId) }
        }
    }

    /// Makes every running job whose lease ran out before `now` available again; returns how many.
    public func requeueExpiredLeases(now: Date = Date()) throws -> Int {
        try writeTransaction { db in
            try db.run(
                """
                UPDATE jobs SET state = 'available', lease_owner = NULL, lease_expires_at = NULL
                WHERE state = 'running' AND lease_expires_at < ?
                """,
                [.integer(Timestamp.millis(now))]
            )
        }
    }

    /// Makes every running job available again (daemon start-up: nothing can be running); returns how many.
    public func requeueAllRunning() throws -> Int {
        try writeTransaction { db in
            try db.run(
                "UPDATE jobs SET state = 'available', lease_owner = NULL, lease_expires_at = NULL WHERE state = 'running'"
            )
        }
    }

    /// The job of a video, or nil.
    public func job(videoId: String) throws -> JobRecord? {
        try withConnection { db in
            try db.queryFirst("SELECT \(Self.jobColumns) FROM jobs WHERE video_id = ?", [.text(videoId)], Self.jobRecord)
        }
    }

    static func jobRecord(_ row: Row) -> JobRecord {
        JobRecord(
            id: row.int64(0), videoId: row.string(1), state: row.string(2), stage: row.optionalString(3),
            attempt: Int(row.int64(4)), faultAttempts: Int(row.int64(5)), runAt: row.int64(6),
            leaseOwner: row.optionalString(7), leaseExpiresAt: row.optionalInt64(8),
            lastError: row.optionalString(9), stageData: row.optionalString(10)
        )
    }

    private static func throwJobNotRunning(_ db: Database, jobId: Int64) throws -> Never {
        let state = try db.queryFirst("SELECT state FROM jobs WHERE id = ?", [.integer(jobId)]) { $0.string(0) }
        guard let state else { throw StoreError(.notFound, "no job \(jobId)") }
        throw StoreError(.invalidState, "job \(jobId) is \(state), not running")
    }
}
