import Foundation

extension SQLiteVideoStore {
    /// The columns `jobRecord(_:)` reads, in order.
    static let jobColumns =
        "id, video_id, state, stage, attempt, fault_attempts, run_at, lease_owner, lease_expires_at, last_error, lease_generation, lease_beats"

    /// The condition "the job is running under this lease" (parameters: `leaseParams`).
    static let leaseHeld = "id = ? AND state = 'running' AND lease_owner = ? AND lease_generation = ?"

    static func leaseParams(_ lease: LeaseToken) -> [SQLValue] {
        [.integer(lease.jobId), .text(lease.owner), .integer(lease.generation)]
    }

    /// Claims the next available job whose `run_at` has come (oldest `run_at`, then id; only the
    /// job of `videoId` when given), in one atomic statement: it becomes `running`, its attempt
    /// and lease generation grow by one and `owner` holds it. Nil when nothing is claimable.
    /// The record's `lease` is the token every later write for the job must state.
    public func claimJob(owner: String, leaseSeconds: Double, now: Date, videoId: String?) throws -> JobRecord? {
        let nowMs = Timestamp.millis(now)
        let onlyVideo = videoId == nil ? "" : " AND video_id = ?"
        return try writeTransaction { db in
            let job = try db.queryFirst(
                """
                UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_owner = ?, lease_expires_at = ?,
                                lease_generation = lease_generation + 1, lease_beats = 0
                WHERE id = (SELECT id FROM jobs WHERE state = 'available' AND run_at <= ?\(onlyVideo) ORDER BY run_at, id LIMIT 1)
                RETURNING \(Self.jobColumns)
                """,
                [.text(owner), .integer(nowMs + Timestamp.millis(seconds: leaseSeconds)), .integer(nowMs)]
                    + (videoId.map { [SQLValue.text($0)] } ?? []),
                Self.jobRecord
            )
            if let lease = job?.lease { try Self.appendHistory(db, .claimed, stage: nil, lease) }
            return job
        }
    }

    /// Renews `lease` (one more beat; the wall-clock expiry becomes `now + leaseSeconds`).
    /// Throws `.leaseLost` when the job is not running under that lease any more.
    public func renewLease(_ lease: LeaseToken, leaseSeconds: Double, now: Date) throws {
        let expires = Timestamp.millis(now) + Timestamp.millis(seconds: leaseSeconds)
        try writeTransaction { db in
            let changed = try db.run(
                "UPDATE jobs SET lease_expires_at = ?, lease_beats = lease_beats + 1 WHERE \(Self.leaseHeld)",
                [.integer(expires)] + Self.leaseParams(lease)
            )
            if changed == 0 { try Self.throwLeaseLost(db, lease) }
        }
    }

    /// Whether the job is still running under `lease` (a worker polls this to notice a delete or a takeover).
    public func holdsLease(_ lease: LeaseToken) throws -> Bool {
        try withConnection { db in
            try db.queryFirst("SELECT 1 FROM jobs WHERE \(Self.leaseHeld)", Self.leaseParams(lease)) { _ in true } ?? false
        }
    }

    /// Records that the job finished `stage` with its typed `result` (JSON), kept beside the
    /// results of the other stages; `marker` becomes the job's `stage`, `videoStage` (when given)
    /// the video's. Throws `.leaseLost` (and changes nothing) when `lease` is no longer held.
    public func recordStage(_ lease: LeaseToken, stage: String, result: String, marker: String, videoStage: String?) throws {
        let stamp = Timestamp.iso(Date())
        try writeTransaction { db in
            let changed = try db.run("UPDATE jobs SET stage = ? WHERE \(Self.leaseHeld)", [.text(marker)] + Self.leaseParams(lease))
            if changed == 0 { try Self.throwLeaseLost(db, lease) }
            try db.run(
                "INSERT INTO job_stage_results (job_id, stage, result) VALUES (?, ?, ?) ON CONFLICT (job_id, stage) DO UPDATE SET result = excluded.result",
                [.integer(lease.jobId), .text(stage), .text(result)]
            )
            try Self.appendHistory(db, .stage, stage: stage, lease)
            try db.run(
                "UPDATE videos SET stage = COALESCE(?, stage), updated_at = ? WHERE id = (SELECT video_id FROM jobs WHERE id = ?)",
                [.text(videoStage), .text(stamp), .integer(lease.jobId)]
            )
        }
    }

    /// Forgets the results of `stages` (their input is gone: they run again) and sets the job's
    /// `stage` marker to `marker`. Throws `.leaseLost` when `lease` is no longer held.
    public func rewindStages(_ lease: LeaseToken, forgetting stages: [String], marker: String?) throws {
        try writeTransaction { db in
            let changed = try db.run("UPDATE jobs SET stage = ? WHERE \(Self.leaseHeld)", [.text(marker)] + Self.leaseParams(lease))
            if changed == 0 { try Self.throwLeaseLost(db, lease) }
            for stage in stages {
                try db.run("DELETE FROM job_stage_results WHERE job_id = ? AND stage = ?", [.integer(lease.jobId), .text(stage)])
            }
        }
    }

    /// The recorded result of each finished stage of a job, by stage name.
    public func stageResults(jobId: Int64) throws -> [String: String] {
        try withConnection { db in
            var results: [String: String] = [:]
            try db.query("SELECT stage, result FROM job_stage_results WHERE job_id = ?", [.integer(jobId)]) {
                results[$0.string(0)] = $0.string(1)
            }
            return results
        }
    }

    /// The job's history, in commit order (see `VideoStore.jobHistory`).
    public func jobHistory(jobId: Int64) throws -> [JobHistoryEntry] {
        try withConnection { db in
            var entries: [JobHistoryEntry] = []
            try db.query(
                "SELECT seq, event, stage, lease_owner, lease_generation FROM job_history WHERE job_id = ? ORDER BY seq",
                [.integer(jobId)]
            ) { row in
                entries.append(JobHistoryEntry(seq: row.int64(0), event: JobHistoryEntry.Event(rawValue: row.string(1)) ?? .stage,
                                               stage: row.optionalString(2),
                                               lease: LeaseToken(jobId: jobId, owner: row.string(3), generation: row.int64(4))))
            }
            return entries
        }
    }

    /// Appends one entry to `job_history`, in the open transaction.
    private static func appendHistory(_ db: Database, _ event: JobHistoryEntry.Event, stage: String?, _ lease: LeaseToken) throws {
        try db.run(
            "INSERT INTO job_history (job_id, event, stage, lease_owner, lease_generation) VALUES (?, ?, ?, ?, ?)",
            [.integer(lease.jobId), .text(event.rawValue), .text(stage), .text(lease.owner), .integer(lease.generation)]
        )
    }

    /// Sets the stage and progress shown in the document of the job's video. Cheap: committed with
    /// `synchronous=NORMAL` (a lost progress update after a power cut does not matter). Throws
    /// `.leaseLost` (and changes nothing) when `lease` is no longer held.
    public func setProgress(_ lease: LeaseToken, stage: String, progress: Double?) throws {
        let stamp = Timestamp.iso(Date())
        try writeTransactionWithoutFlush { db in
            let changed = try db.run(
                "UPDATE videos SET stage = ?, progress = ?, updated_at = ? WHERE id = (SELECT video_id FROM jobs WHERE \(Self.leaseHeld))",
                [.text(stage), .real(progress), .text(stamp)] + Self.leaseParams(lease)
            )
            if changed == 0 { try Self.throwLeaseLost(db, lease) }
        }
    }

    /// Gives the job back: `available` from `runAt` (retry with backoff), keeping `error` as its
    /// last error and counting a fault when `countAsFault`. The fault that reaches
    /// `maxFaultAttempts` parks the job `stuck` instead: its video stays IN_PROGRESS with stage
    /// `stuck` and `error` as its `errorMessage` until `retryStuck`. Returns the new state.
    /// Throws `.leaseLost` (and changes nothing) when `lease` is no longer held.
    @discardableResult
    public func releaseJob(_ lease: LeaseToken, runAt: Date, error: String?, countAsFault: Bool,
                           maxFaultAttempts: Int, now: Date) throws -> JobState {
        try writeTransaction { db in
            let faults = try db.queryFirst("SELECT fault_attempts FROM jobs WHERE \(Self.leaseHeld)", Self.leaseParams(lease)) { $0.int64(0) }
            guard let faults else { try Self.throwLeaseLost(db, lease) }
            let added: Int64 = countAsFault ? 1 : 0
            let state: JobState = countAsFault && faults + added >= Int64(maxFaultAttempts) ? .stuck : .available
            try db.run(
                """
                UPDATE jobs SET state = ?, run_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                                last_error = COALESCE(?, last_error), fault_attempts = fault_attempts + ?
                WHERE \(Self.leaseHeld)
                """,
                [.text(state.rawValue), .integer(Timestamp.millis(runAt)), .text(error), .integer(added)] + Self.leaseParams(lease)
            )
            if state == .stuck {
                try db.run(
                    "UPDATE videos SET stage = 'stuck', progress = NULL, error_message = ?, updated_at = ? WHERE id = (SELECT video_id FROM jobs WHERE id = ?)",
                    [.text(error), .text(Timestamp.iso(now)), .integer(lease.jobId)]
                )
            }
            return state
        }
    }

    /// Puts a `stuck` job back in the queue (`video-ingest retry`): available now, its fault and
    /// media-crash counts reset, the video's stage `queued` and its `errorMessage` cleared.
    /// Returns the ids whose document changed. Throws `.notFound` for an unknown (or deleted)
    /// video, `.invalidState` when its job is not stuck.
    public func retryStuck(videoId: String, now: Date) throws -> [String] {
        try writeTransaction { db in
            guard let state = try Self.videoState(db, videoId: videoId), !state.deleted else { throw StoreError(.notFound, "no video \(videoId)") }
            let changed = try db.run(
                "UPDATE jobs SET state = 'available', run_at = ?, fault_attempts = 0, media_crashes = 0 WHERE video_id = ? AND state = 'stuck'",
                [.integer(Timestamp.millis(now)), .text(videoId)]
            )
            guard changed == 1 else {
                let jobState = try db.queryFirst("SELECT state FROM jobs WHERE video_id = ?", [.text(videoId)]) { $0.string(0) } ?? "missing"
                throw StoreError(.invalidState, "the job of video \(videoId) is \(jobState), not stuck")
            }
            try db.run("UPDATE videos SET stage = 'queued', progress = NULL, error_message = NULL, updated_at = ? WHERE id = ?",
                       [.text(Timestamp.iso(now)), .text(videoId)])
            return [videoId]
        }
    }

    /// Every running job's lease and how many times it was renewed (what a rescuer watches).
    public func runningLeases() throws -> [(lease: LeaseToken, beats: Int64)] {
        try withConnection { db in
            var leases: [(LeaseToken, Int64)] = []
            try db.query("SELECT id, lease_owner, lease_generation, lease_beats FROM jobs WHERE state = 'running' AND lease_owner IS NOT NULL") {
                leases.append((LeaseToken(jobId: $0.int64(0), owner: $0.string(1), generation: $0.int64(2)), $0.int64(3)))
            }
            return leases
        }
    }

    /// Makes a running job available again if it is still under `lease` and was not renewed since
    /// the rescuer saw it at `beats`. Returns whether it did.
    public func requeueStaleLease(_ lease: LeaseToken, beats: Int64) throws -> Bool {
        try writeTransaction { db in
            try db.run(
                "UPDATE jobs SET state = 'available', lease_owner = NULL, lease_expires_at = NULL WHERE \(Self.leaseHeld) AND lease_beats = ?",
                Self.leaseParams(lease) + [.integer(beats)]
            ) == 1
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

    /// The ids of the videos whose job is `stuck`, oldest first.
    public func stuckVideoIds() throws -> [String] {
        try withConnection { db in
            var ids: [String] = []
            try db.query("SELECT video_id FROM jobs WHERE state = 'stuck' ORDER BY id") { ids.append($0.string(0)) }
            return ids
        }
    }

    static func jobRecord(_ row: Row) -> JobRecord {
        JobRecord(
            id: row.int64(0), videoId: row.string(1), state: row.string(2), stage: row.optionalString(3),
            attempt: Int(row.int64(4)), faultAttempts: Int(row.int64(5)), runAt: row.int64(6),
            leaseOwner: row.optionalString(7), leaseExpiresAt: row.optionalInt64(8),
            lastError: row.optionalString(9), leaseGeneration: row.int64(10), leaseBeats: row.int64(11)
        )
    }

    /// Throws `.leaseLost` naming what became of the job (`.notFound` for an unknown job).
    static func throwLeaseLost(_ db: Database, _ lease: LeaseToken) throws -> Never {
        let row = try db.queryFirst("SELECT state, lease_owner, lease_generation FROM jobs WHERE id = ?", [.integer(lease.jobId)]) {
            ($0.string(0), $0.optionalString(1), $0.int64(2))
        }
        guard let (state, owner, generation) = row else { throw StoreError(.notFound, "no job \(lease.jobId)") }
        let holder = owner.map { " under \($0)#\(generation)" } ?? ""
        throw StoreError(.leaseLost, "\(lease) is no longer held: the job is \(state)\(holder)")
    }
}
