import Foundation

extension PostgresVideoStore {
    /// The columns `jobRecord(_:_:)` reads, in order.
    static let jobColumns =
        "id, video_id, state, stage, attempt, fault_attempts, run_at, lease_owner, lease_expires_at, last_error, lease_generation, lease_beats"

    /// "The job is running under this lease", with the lease's parameters at `$first…$first+2`.
    static func leaseHeld(from first: Int) -> String {
        "id = $\(first) AND state = 'running' AND lease_owner = $\(first + 1) AND lease_generation = $\(first + 2)"
    }

    static func leaseParams(_ lease: LeaseToken) -> [SQLValue] {
        [.integer(lease.jobId), .text(lease.owner), .integer(lease.generation)]
    }

    /// Claims the next available job whose `run_at` has come (oldest `run_at`, then id; only the
    /// job of `videoId` when given) in ONE statement: the row is picked `FOR UPDATE SKIP LOCKED`
    /// (another daemon's claim in flight skips it, never waits or takes it twice) and becomes
    /// `running` under `owner`, its attempt and lease generation one more. Nil when nothing is claimable.
    public func claimJob(owner: String, leaseSeconds: Double, now: Date = Date(), videoId: String? = nil) throws -> JobRecord? {
        let nowMs = Timestamp.millis(now)
        let onlyVideo = videoId == nil ? "" : " AND video_id = $4"
        return try write { tx in
            let result = try tx.execute(
                """
                UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_owner = $1, lease_expires_at = $2,
                                lease_generation = lease_generation + 1, lease_beats = 0
                WHERE id = (SELECT id FROM jobs WHERE state = 'available' AND run_at <= $3\(onlyVideo)
                            ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING \(Self.jobColumns)
                """,
                [.text(owner), .integer(nowMs + Timestamp.millis(seconds: leaseSeconds)), .integer(nowMs)]
                    + (videoId.map { [SQLValue.text($0)] } ?? [])
            )
            guard result.rowCount > 0 else { return nil }
            let job = Self.jobRecord(result, 0)
            if let lease = job.lease { try Self.appendHistory(tx, .claimed, stage: nil, lease) }
            return job
        }
    }

    /// Renews `lease` (one more beat; the expiry becomes `now + leaseSeconds`) in one statement
    /// that checks owner and generation. Throws `.leaseLost` when the job is not running under it any more.
    public func renewLease(_ lease: LeaseToken, leaseSeconds: Double, now: Date = Date()) throws {
        let expires = Timestamp.millis(now) + Timestamp.millis(seconds: leaseSeconds)
        try write { tx in
            let changed = try tx.run(
                "UPDATE jobs SET lease_expires_at = $1, lease_beats = lease_beats + 1 WHERE \(Self.leaseHeld(from: 2))",
                [.integer(expires)] + Self.leaseParams(lease)
            )
            if changed == 0 { try Self.throwLeaseLost(tx.connection, lease) }
        }
    }

    /// Whether the job is still running under `lease`.
    public func holdsLease(_ lease: LeaseToken) throws -> Bool {
        try read { try $0.execute("SELECT 1 FROM jobs WHERE \(Self.leaseHeld(from: 1))", Self.leaseParams(lease)).rowCount > 0 }
    }

    /// Records that the job finished `stage` with `result`; `marker` becomes the job's `stage`,
    /// `videoStage` (when given) the video's. Throws `.leaseLost` (changing nothing) when `lease` is no longer held.
    public func recordStage(_ lease: LeaseToken, stage: String, result: String, marker: String, videoStage: String?) throws {
        let stamp = Timestamp.iso(Date())
        try write { tx in
            let changed = try tx.run("UPDATE jobs SET stage = $1 WHERE \(Self.leaseHeld(from: 2))", [.text(marker)] + Self.leaseParams(lease))
            if changed == 0 { try Self.throwLeaseLost(tx.connection, lease) }
            try Self.appendHistory(tx, .stage, stage: stage, lease)
            try tx.run(
                """
                INSERT INTO job_stage_results (job_id, stage, result) VALUES ($1, $2, $3)
                ON CONFLICT (job_id, stage) DO UPDATE SET result = excluded.result
                """,
                [.integer(lease.jobId), .text(stage), .text(result)]
            )
            try tx.run(
                "UPDATE videos SET stage = COALESCE($1, stage), updated_at = $2 WHERE id = (SELECT video_id FROM jobs WHERE id = $3)",
                [.text(videoStage), .text(stamp), .integer(lease.jobId)]
            )
        }
    }

    /// Forgets the results of `stages` and sets the job's `stage` marker to `marker`.
    /// Throws `.leaseLost` when `lease` is no longer held.
    public func rewindStages(_ lease: LeaseToken, forgetting stages: [String], marker: String?) throws {
        try write { tx in
            let changed = try tx.run("UPDATE jobs SET stage = $1 WHERE \(Self.leaseHeld(from: 2))", [.text(marker)] + Self.leaseParams(lease))
            if changed == 0 { try Self.throwLeaseLost(tx.connection, lease) }
            try tx.run("DELETE FROM job_stage_results WHERE job_id = $1 AND stage = ANY($2::text[])",
                       [.integer(lease.jobId), PGArray.text(stages)])
        }
    }

    /// The recorded result of each finished stage of a job, by stage name.
    public func stageResults(jobId: Int64) throws -> [String: String] {
        try read { connection in
            let rows = try connection.execute("SELECT stage, result FROM job_stage_results WHERE job_id = $1", [.integer(jobId)])
            var results: [String: String] = [:]
            for row in 0..<rows.rowCount { results[rows.string(row, 0)] = rows.string(row, 1) }
            return results
        }
    }

    /// The job's history, in commit order (see `VideoStore.jobHistory`): every entry is written
    /// after the statement that locked the job's row, so one job's entries are numbered in the
    /// order their transactions committed.
    public func jobHistory(jobId: Int64) throws -> [JobHistoryEntry] {
        try read { connection in
            let rows = try connection.execute(
                "SELECT seq, event, stage, lease_owner, lease_generation FROM job_history WHERE job_id = $1 ORDER BY seq",
                [.integer(jobId)])
            return (0..<rows.rowCount).map { row in
                JobHistoryEntry(seq: rows.int64(row, 0), event: JobHistoryEntry.Event(rawValue: rows.string(row, 1)) ?? .stage,
                                stage: rows.optionalString(row, 2),
                                lease: LeaseToken(jobId: jobId, owner: rows.string(row, 3), generation: rows.int64(row, 4)))
            }
        }
    }

    /// Appends one entry to `job_history`, in the open transaction.
    private static func appendHistory(_ tx: PGTransaction, _ event: JobHistoryEntry.Event, stage: String?, _ lease: LeaseToken) throws {
        try tx.run(
            "INSERT INTO job_history (job_id, event, stage, lease_owner, lease_generation) VALUES ($1, $2, $3, $4, $5)",
            [.integer(lease.jobId), .text(event.rawValue), .text(stage), .text(lease.owner), .integer(lease.generation)])
    }

    /// Sets the stage and progress shown in the document of the job's video, in one statement
    /// that checks the lease (committed without waiting for the WAL flush: a lost progress update
    /// does not matter). Throws `.leaseLost` (changing nothing) when `lease` is no longer held.
    public func setProgress(_ lease: LeaseToken, stage: String, progress: Double?) throws {
        let stamp = Timestamp.iso(Date())
        try write { tx in
            try tx.execute("SET LOCAL synchronous_commit = off")
            let changed = try tx.run(
                "UPDATE videos SET stage = $1, progress = $2, updated_at = $3 WHERE id = (SELECT video_id FROM jobs WHERE \(Self.leaseHeld(from: 4)))",
                [.text(stage), .real(progress), .text(stamp)] + Self.leaseParams(lease)
            )
            if changed == 0 { try Self.throwLeaseLost(tx.connection, lease) }
        }
    }

    /// Gives the job back, as `VideoStore.releaseJob`: `available` from `runAt`, or `stuck` when
    /// this fault reaches `maxFaultAttempts`. Throws `.leaseLost` when `lease` is no longer held.
    @discardableResult
    public func releaseJob(_ lease: LeaseToken, runAt: Date, error: String?, countAsFault: Bool,
                           maxFaultAttempts: Int = Int.max, now: Date = Date()) throws -> JobState {
        try write { tx in
            let found = try tx.execute("SELECT fault_attempts FROM jobs WHERE \(Self.leaseHeld(from: 1)) FOR UPDATE", Self.leaseParams(lease))
            guard found.rowCount > 0 else { try Self.throwLeaseLost(tx.connection, lease) }
            let faults = found.int64(0, 0)
            let added: Int64 = countAsFault ? 1 : 0
            let state: JobState = countAsFault && faults + added >= Int64(maxFaultAttempts) ? .stuck : .available
            try tx.run(
                """
                UPDATE jobs SET state = $1, run_at = $2, lease_owner = NULL, lease_expires_at = NULL,
                                last_error = COALESCE($3, last_error), fault_attempts = fault_attempts + $4
                WHERE \(Self.leaseHeld(from: 5))
                """,
                [.text(state.rawValue), .integer(Timestamp.millis(runAt)), .text(error), .integer(added)] + Self.leaseParams(lease)
            )
            if state == .available && runAt <= now { try Self.notifyJobClaimable(tx, lease.jobId) }
            if state == .stuck {
                try tx.run(
                    "UPDATE videos SET stage = 'stuck', progress = NULL, error_message = $1, updated_at = $2 WHERE id = (SELECT video_id FROM jobs WHERE id = $3)",
                    [.text(error), .text(Timestamp.iso(now)), .integer(lease.jobId)]
                )
            }
            return state
        }
    }

    /// Puts a `stuck` job back in the queue (`video-ingest retry`). Returns the ids whose document
    /// changed. Throws `.notFound` for an unknown (or deleted) video, `.invalidState` when its job is not stuck.
    public func retryStuck(videoId: String, now: Date = Date()) throws -> [String] {
        try write { tx in
            guard let state = try Self.videoState(tx.connection, videoId: videoId), !state.deleted else {
                throw StoreError(.notFound, "no video \(videoId)")
            }
            let changed = try tx.run(
                "UPDATE jobs SET state = 'available', run_at = $1, fault_attempts = 0, media_crashes = 0 WHERE video_id = $2 AND state = 'stuck'",
                [.integer(Timestamp.millis(now)), .text(videoId)]
            )
            guard changed == 1 else {
                let job = try tx.execute("SELECT state FROM jobs WHERE video_id = $1", [.text(videoId)])
                let jobState = job.rowCount > 0 ? job.string(0, 0) : "missing"
                throw StoreError(.invalidState, "the job of video \(videoId) is \(jobState), not stuck")
            }
            try tx.run("UPDATE videos SET stage = 'queued', progress = NULL, error_message = NULL, updated_at = $1 WHERE id = $2",
                       [.text(Timestamp.iso(now)), .text(videoId)])
            try tx.execute("SELECT pg_notify($1, $2)", [.text(PGListener.channel), .text(videoId)])
            return [videoId]
        }
    }

    /// Every running job's lease and how many times it was renewed (what a rescuer watches).
    public func runningLeases() throws -> [(lease: LeaseToken, beats: Int64)] {
        try read { connection in
            let rows = try connection.execute(
                "SELECT id, lease_owner, lease_generation, lease_beats FROM jobs WHERE state = 'running' AND lease_owner IS NOT NULL")
            return (0..<rows.rowCount).map { row in
                (LeaseToken(jobId: rows.int64(row, 0), owner: rows.string(row, 1), generation: rows.int64(row, 2)), rows.int64(row, 3))
            }
        }
    }

    /// Makes a running job available again if it is still under `lease` and was not renewed since
    /// the rescuer saw it at `beats`. Returns whether it did.
    public func requeueStaleLease(_ lease: LeaseToken, beats: Int64) throws -> Bool {
        try write { tx in
            let changed = try tx.run(
                "UPDATE jobs SET state = 'available', lease_owner = NULL, lease_expires_at = NULL WHERE \(Self.leaseHeld(from: 1)) AND lease_beats = $4",
                Self.leaseParams(lease) + [.integer(beats)]
            )
            if changed == 1 { try Self.notifyJobClaimable(tx, lease.jobId) }
            return changed == 1
        }
    }

    /// Makes every running job available again; returns how many. Only for a store no other
    /// daemon is using (in a fleet the others' jobs are running): the daemon's start-up on SQLite.
    public func requeueAllRunning() throws -> Int {
        try write { tx in
            let changed = try tx.run("UPDATE jobs SET state = 'available', lease_owner = NULL, lease_expires_at = NULL WHERE state = 'running'")
            if changed > 0 { try Self.notifyJobClaimable(tx, 0) }
            return changed
        }
    }

    /// The job of a video, or nil.
    public func job(videoId: String) throws -> JobRecord? {
        try read { connection in
            let rows = try connection.execute("SELECT \(Self.jobColumns) FROM jobs WHERE video_id = $1", [.text(videoId)])
            return rows.rowCount > 0 ? Self.jobRecord(rows, 0) : nil
        }
    }

    /// The ids of the videos whose job is `stuck`, oldest first.
    public func stuckVideoIds() throws -> [String] {
        try read { connection in
            let rows = try connection.execute("SELECT video_id FROM jobs WHERE state = 'stuck' ORDER BY id")
            return (0..<rows.rowCount).map { rows.string($0, 0) }
        }
    }

    static func jobRecord(_ rows: PGResult, _ row: Int) -> JobRecord {
        JobRecord(
            id: rows.int64(row, 0), videoId: rows.string(row, 1), state: rows.string(row, 2), stage: rows.optionalString(row, 3),
            attempt: Int(rows.int64(row, 4)), faultAttempts: Int(rows.int64(row, 5)), runAt: rows.int64(row, 6),
            leaseOwner: rows.optionalString(row, 7), leaseExpiresAt: rows.optionalInt64(row, 8),
            lastError: rows.optionalString(row, 9), leaseGeneration: rows.int64(row, 10), leaseBeats: rows.int64(row, 11)
        )
    }

    /// Throws `.leaseLost` naming what became of the job (`.notFound` for an unknown job).
    static func throwLeaseLost(_ connection: PGConnection, _ lease: LeaseToken) throws -> Never {
        let rows = try connection.execute("SELECT state, lease_owner, lease_generation FROM jobs WHERE id = $1", [.integer(lease.jobId)])
        guard rows.rowCount > 0 else { throw StoreError(.notFound, "no job \(lease.jobId)") }
        let holder = rows.optionalString(0, 1).map { " under \($0)#\(rows.int64(0, 2))" } ?? ""
        throw StoreError(.leaseLost, "\(lease) is no longer held: the job is \(rows.string(0, 0))\(holder)")
    }
}

extension PostgresVideoStore {
    /// `NOTIFY video_ingest_jobs` in the open transaction (delivered at its commit): a job became
    /// claimable now, so idle daemons listening (`makeJobWakeup`) claim at once.
    static func notifyJobClaimable(_ tx: PGTransaction, _ jobId: Int64) throws {
        try tx.execute("SELECT pg_notify($1, $2)", [.text(PGListener.channel), .text(String(jobId))])
    }
}
