import Foundation

/// The durable store of video-ingest, as every caller sees it: videos, their jobs, idempotency
/// keys, rate counts, the webhook and object outboxes. A driver implements it over one engine
/// (`SQLiteVideoStore` today; a PostgreSQL driver beside it), and `StoreOpener` picks the driver
/// from the config, so no caller names an engine.
///
/// Every driver must give each method the same meaning, checked by the conformance suite in
/// `Tests/IngestStoreTests/Conformance`:
/// - a method that changes several rows does it in one transaction (all or nothing);
/// - every write for a job states its `LeaseToken` and throws `StoreError(.leaseLost)`, changing
///   nothing, once the job is no longer running under that lease (fencing);
/// - methods that return ids return those whose status document changed, for the status files;
/// - `now` is the caller's clock for every timestamp written or compared, so tests set up time.
/// An instance is shared by the threads of one process; it serializes what must be serialized.
/// Default argument values are in `VideoStore+Defaults.swift`; the fleet's types (`JobWakeup`,
/// `FleetLock`, `VideoOrigin`, `JobHistoryEntry`) in `FleetTypes.swift`.
public protocol VideoStore: AnyObject, Sendable {
    /// The schema version this store holds (and this build expects).
    var schemaVersion: Int { get }

    /// Where the store is, for logs and diagnostics: a file path or a URL with its password
    /// removed. Never contains a password.
    var describesLocation: String { get }

    // MARK: Rate limits

    /// Counts up to `count` requests of `kind` by `sellerId` in the second of `now`, as many as fit
    /// under `limit` in the minute ending at `now` (a sliding window of 60 one-second buckets): at
    /// least one (`.granted`), or none and the whole seconds until a place frees up (`.refused`).
    /// `giveBack` first uncounts places an earlier grant counted but the caller never used (one
    /// second of the window; a count never goes below zero). Give-back, check and count are one
    /// atomic step across every process sharing the store, so the counts never undercount what
    /// any process admitted and two callers never both take the last place.
    func reserve(sellerId: String, kind: String, limit: Int, count: Int, giveBack: (second: Int64, count: Int)?,
                 now: Date) throws -> RateGrant

    // MARK: Intake

    /// Stores a batch of requests in one transaction (a group commit: every outcome is durable
    /// when this returns, or none is stored), in order; one outcome per request.
    ///
    /// For each request: the same (seller, key) with the same `bodyDigest` returns `.existing`
    /// with the first video's id; with another digest `.keyReused`. Otherwise it inserts the
    /// video (IN_PROGRESS, a new lowercase UUID, the next seq), its product ids (all
    /// shown), an available job runnable at `now`, and the key. On `.created` and `.existing`,
    /// `video.origin` becomes one of the video's origins (`origins(videoId:)`) in the same
    /// transaction, its status file there not yet written; `.keyReused` records nothing.
    /// A later request of the batch sees the earlier ones (the same key twice is `.existing`).
    /// `createVideo` (in `VideoStore+Defaults.swift`) is a batch of one.
    func createVideos(_ requests: [CreateRequest], now: Date) throws -> [CreateOutcome]

    /// The video and body digest remembered for a seller's idempotency key, or nil.
    func lookupKey(sellerId: String, key: String) throws -> (videoId: String, bodyDigest: String)?

    /// Forgets idempotency keys created before `olderThan`; returns how many were removed.
    /// The contract keeps keys at least 24 hours: the caller chooses the horizon.
    func pruneKeys(olderThan: Date) throws -> Int

    /// How many videos `sellerId` created at or after `since` (for the per-seller create rate).
    func countCreates(sellerId: String, since: Date) throws -> Int


    // MARK: Jobs

    /// Claims the next available job whose `run_at` has come (oldest `run_at`, then id; only the
    /// job of `videoId` when given), in one atomic statement: it becomes `running`, its attempt
    /// and lease generation grow by one and `owner` holds it. Nil when nothing is claimable.
    /// The record's `lease` is the token every later write for the job must state.
    func claimJob(owner: String, leaseSeconds: Double, now: Date, videoId: String?) throws -> JobRecord?

    /// Renews `lease` (one more beat; the wall-clock expiry becomes `now + leaseSeconds`).
    /// Throws `.leaseLost` when the job is not running under that lease any more.
    func renewLease(_ lease: LeaseToken, leaseSeconds: Double, now: Date) throws

    /// Whether the job is still running under `lease` (a worker polls this to notice a delete or a takeover).
    func holdsLease(_ lease: LeaseToken) throws -> Bool

    /// Records that the job finished `stage` with its typed `result` (JSON), kept beside the
    /// results of the other stages; `marker` becomes the job's `stage`, `videoStage` (when given)
    /// the video's. Throws `.leaseLost` (and changes nothing) when `lease` is no longer held.
    func recordStage(_ lease: LeaseToken, stage: String, result: String, marker: String, videoStage: String?) throws

    /// Forgets the results of `stages` (their input is gone: they run again) and sets the job's
    /// `stage` marker to `marker`. Throws `.leaseLost` when `lease` is no longer held.
    func rewindStages(_ lease: LeaseToken, forgetting stages: [String], marker: String?) throws

    /// The recorded result of each finished stage of a job, by stage name.
    func stageResults(jobId: Int64) throws -> [String: String]

    /// The job's history, in commit order: one `.claimed` entry per `claimJob` that took it (with
    /// the new lease) and one `.stage` entry per `recordStage` that committed (with the lease that
    /// wrote it). Append-only: rewinds and repeats of a stage keep the earlier entries. Empty for
    /// an unknown job.
    func jobHistory(jobId: Int64) throws -> [JobHistoryEntry]

    /// Sets the stage and progress shown in the document of the job's video. Cheap: committed with
    /// `synchronous=NORMAL` (a lost progress update after a power cut does not matter). Throws
    /// `.leaseLost` (and changes nothing) when `lease` is no longer held.
    func setProgress(_ lease: LeaseToken, stage: String, progress: Double?) throws

    /// Gives the job back: `available` from `runAt` (retry with backoff), keeping `error` as its
    /// last error and counting a fault when `countAsFault`. The fault that reaches
    /// `maxFaultAttempts` parks the job `stuck` instead: its video stays IN_PROGRESS with stage
    /// `stuck` and `error` as its `errorMessage` until `retryStuck`. Returns the new state.
    /// Throws `.leaseLost` (and changes nothing) when `lease` is no longer held.
    @discardableResult
    func releaseJob(_ lease: LeaseToken, runAt: Date, error: String?, countAsFault: Bool, maxFaultAttempts: Int, now: Date) throws -> JobState

    /// Puts a `stuck` job back in the queue (`video-ingest retry`): available now, its fault and
    /// media-crash counts reset, the video's stage `queued` and its `errorMessage` cleared.
    /// Returns the ids whose document changed. Throws `.notFound` for an unknown (or deleted)
    /// video, `.invalidState` when its job is not stuck.
    func retryStuck(videoId: String, now: Date) throws -> [String]

    /// Every running job's lease and how many times it was renewed (what a rescuer watches).
    func runningLeases() throws -> [(lease: LeaseToken, beats: Int64)]

    /// Makes a running job available again if it is still under `lease` and was not renewed since
    /// the rescuer saw it at `beats`. Returns whether it did.
    func requeueStaleLease(_ lease: LeaseToken, beats: Int64) throws -> Bool

    /// Makes every running job available again (daemon start-up: nothing can be running); returns how many.
    func requeueAllRunning() throws -> Int

    /// The job of a video, or nil.
    func job(videoId: String) throws -> JobRecord?

    /// The ids of the videos whose job is `stuck`, oldest first.
    func stuckVideoIds() throws -> [String]


    // MARK: Outcomes

    /// Ends a video as FAILED with a contract failure code, and its job as `failed`, in one transaction.
    /// Returns the ids whose status document changed (just `videoId`).
    /// Throws `.leaseLost` (changing nothing) when `lease` is no longer held (a delete cancelled the
    /// job, or another worker took it over), `.notFound` for an unknown video, `.invalidState` when
    /// it is not IN_PROGRESS.
    func failVideo(_ lease: LeaseToken, videoId: String, errorCode: String, errorMessage: String?, now: Date) throws -> [String]

    /// Ends a video as SUCCESS (approved at once when `autoApprove`, unless already rejected)
    /// and its job as `done`, then applies the supersede rule, all in one transaction.
    /// Returns `videoId` and every video whose shown product ids changed.
    /// Throws `.leaseLost` (changing nothing) when `lease` is no longer held, `.notFound` for an
    /// unknown video, `.invalidState` when it is not IN_PROGRESS.
    func succeedVideo(_ lease: LeaseToken, videoId: String, optimizedVideoUrl: String, posterUrl: String?, durationSeconds: Double?, autoApprove: Bool, now: Date) throws -> [String]


    // MARK: Moderation

    /// Approves a SUCCESS video that was not rejected; `isApproved` becomes true.
    /// Throws `.invalidState` for a video that is not SUCCESS or was rejected.
    func approve(videoId: String) throws -> [String]

    /// Rejects a video for good (in any status), queues its objects in a bucket for deletion and
    /// releases its product ids to the next newest SUCCESS video of the seller that asked for them.
    func reject(videoId: String, reason: String?) throws -> [String]

    /// Marks a video deleted (no longer listed), queues its objects in a bucket for deletion,
    /// releases its product ids and, in the same
    /// transaction, cancels its job when that is not settled yet: the lease of a running worker is
    /// gone, so it can write nothing more for the video (it notices, kills its media child and
    /// removes its scratch). The caller removes the media.
    func delete(videoId: String) throws -> [String]


    // MARK: Reads

    /// One video, deleted ones included (with `deleted` set); nil for an unknown id.
    func video(id: String) throws -> VideoRecord?

    /// One page of the videos that are not deleted, newest first (seq DESC), filtered by
    /// seller, id, status and stuck jobs (combined with AND). `total` counts every match.
    /// Throws `.misuse` for a negative page or a size below 1.
    ///
    /// Without an id or the stuck filter, neither `total` nor a deep page walks the matching rows:
    /// both come from the block counts of `ListBlocks`, and the page's rows from the list index
    /// starting in their block.
    func list(_ q: ListQuery) throws -> ListPage

    /// Every video id, deleted ones included, oldest first (to rewrite status files).
    func allVideoIds() throws -> [String]


    // MARK: StatusFiles

    /// A video's record with its document version and the version `origin`'s status file holds
    /// (`written`), read in one snapshot: the caller writes the status file when `version > written`,
    /// then `markStatusWritten` with this version. Nil for an unknown video, or one that did not
    /// come in through `origin` (that spool keeps no status file of it).
    func statusDocument(id: String, origin: String) throws -> (record: VideoRecord, version: Int64, written: Int64)?

    /// Records, in one transaction, that `origin`'s `status/<id>.json` of each mark now holds its
    /// document `version` (never lowers it; nothing for a video that did not come in through
    /// `origin`). `markStatusWritten(videoId:origin:version:)` is a batch of one. Committed without
    /// waiting for the disk: the file was fsynced first, and a mark lost to a power cut only makes
    /// the repair pass write it again.
    func markStatusWritten(_ marks: [StatusMark], origin: String) throws

    /// The videos that came in through `origin` whose status file there is older than their
    /// document (a commit in any daemon of the fleet, or a crash between a commit and the file),
    /// oldest first. Cheap when nothing is stale: the daemon asks every second.
    func staleStatusVideoIds(origin: String, limit: Int) throws -> [String]

    /// The origins a video came in through (the spools whose inbox, `enqueue` or API took a
    /// request that answered with it), sorted; empty for an unknown id. `createVideo` records
    /// `NewVideo.origin` on a create and on every repeat of the same key and body.
    func origins(videoId: String) throws -> [String]


    // MARK: Webhooks

    /// Sets how changes become events: `routing` is asked at every change (so a reloaded config
    /// applies to the next one); `onEventsCommitted` runs after each commit that recorded one.
    /// A store without a provider records no events.
    func setOutbox(_ routing: @escaping @Sendable () -> OutboxRouting, onEventsCommitted: (@Sendable () -> Void)?) throws

    /// The pending deliveries to `endpointUrl` that are due at `now` and first in line for their
    /// video (an earlier pending event of the same video to the same endpoint holds later ones
    /// back), soonest first. `partition` (index, count) keeps only the videos of one of `count`
    /// disjoint sets (by the video id's last character), so that several senders can share an
    /// endpoint and a video's events still go through one of them, in order.
    func dueDeliveries(endpointUrl: String, partition: (index: Int, count: Int), now: Date, limit: Int) throws -> [DeliveryRecord]

    /// Claims what `dueDeliveries` would hand out, for the sender `owner`: in one atomic step (one
    /// transaction, serialized against every other claimer of the store, in any process) each
    /// returned delivery's next attempt becomes `now + claimSeconds`, so no other sender, in this
    /// daemon or another of the fleet, gets it until then. `recordDeliveryAttempt` sets its real
    /// next attempt (the claim ends); a sender that dies leaves it due again after `claimSeconds`
    /// (delivery stays at least once). Returned records show the next attempt from before the claim.
    func claimDueDeliveries(endpointUrl: String, partition: (index: Int, count: Int), owner: String, now: Date,
                            claimSeconds: Double, limit: Int) throws -> [DeliveryRecord]

    /// Ends the claims of every pending delivery whose claim owner starts with `ownerPrefix`: each
    /// becomes due at `now`, unclaimed. A daemon calls it at start-up with its spool's owner prefix
    /// (the claimer is dead). Returns how many.
    @discardableResult
    func releaseDeliveryClaims(ownerPrefix: String, now: Date) throws -> Int

    /// When the next delivery `dueDeliveries` would hand out (same endpoint and partition) is
    /// due, or nil when there is none; deliveries held back behind an earlier one do not count.
    func nextDeliveryDue(endpointUrl: String, partition: (index: Int, count: Int)) throws -> Date?

    /// Records one attempt of a pending delivery and what it decided. Returns false when the
    /// delivery was no longer pending (given up meanwhile); the attempt is then not counted.
    ///
    /// Committed with `synchronous=NORMAL`: a kill -9 loses nothing (WAL), and what a power cut can
    /// lose is the last few records, which only makes those deliveries go out again (at least
    /// once), in order (a later record never survives an earlier one in the WAL).
    @discardableResult
    func recordDeliveryAttempt(seq: Int64, result: DeliveryAttemptResult, httpStatus: Int?, error: String?, now: Date) throws -> Bool

    /// Gives up every pending delivery to an endpoint not in `endpointUrls` (removed from the
    /// config), with `reason` as its last error. Returns how many.
    @discardableResult
    func giveUpDeliveries(toEndpointsOtherThan endpointUrls: [String], reason: String, now: Date) throws -> Int

    /// Deliveries, newest first: all of them, or only the given-up ones.
    func deliveries(failedOnly: Bool, limit: Int) throws -> [DeliveryRecord]

    /// `webhooks retry EVENT_ID`: every given-up delivery of the event becomes pending again, due
    /// now, with a fresh retry window. Returns how many. Throws `.notFound` for an unknown event
    /// and `.invalidState` when none of its deliveries was given up.
    func retryEvent(id: String, now: Date) throws -> Int

    /// The outbox's counters, read in one snapshot (for `/metrics`).
    func webhookMetrics(now: Date) throws -> WebhookMetrics


    // MARK: Objects

    /// Records that `objects` of `videoId` are in their bucket (before SUCCESS is committed; a
    /// repeat is harmless). A video that was deleted or rejected meanwhile gets them queued for
    /// deletion at once.
    func recordPublishedObjects(videoId: String, _ objects: [StoredObject], now: Date) throws

    /// The recorded objects of `videoId` (not yet queued for deletion).
    func publishedObjects(videoId: String) throws -> [StoredObject]

    /// Outbox entries due at `now`, oldest first.
    func dueObjectDeletions(now: Date, limit: Int) throws -> [ObjectDeletion]

    /// How many objects wait in the outbox.
    func pendingObjectDeletionCount() throws -> Int

    /// The object is gone from its bucket: the entry leaves the outbox.
    func finishObjectDeletion(id: Int64) throws

    /// The deletion failed: tried again at `retryAt`, with the reason kept.
    func postponeObjectDeletion(id: Int64, error: String, retryAt: Date) throws


    // MARK: Health

    /// Answers when the store can be read (for `/readyz`).
    func ping() throws

    /// The jobs by state at `now`.
    func jobCounts(now: Date) throws -> JobCounts


    // MARK: Fleet

    /// What wakes this process's idle workers when work is stored by any process of the fleet:
    /// nil when the driver has no such channel (SQLite: the daemon's in-process signal and its
    /// polling cover the one daemon of a spool); otherwise a new `JobWakeup` on a connection of its
    /// own, notified after every commit that makes a job claimable now (`createVideo` of a new
    /// video, `releaseJob` with `runAt <= now`, `requeueStaleLease`, `requeueAllRunning`, `retryStuck`).
    /// A job released to a later `runAt` is found by polling.
    func makeJobWakeup() throws -> (any JobWakeup)?

    /// Tries to hold `lock` for this store instance; true when this instance holds it (taken now
    /// or earlier), false while another instance of the fleet does. Once taken it stays held
    /// until the instance is released or its connection to the store breaks, and then another
    /// instance's next call takes it. Call it before every pass of the sweep; repeated calls are
    /// cheap and need no matching release. SQLite: always true (the spool's `daemon.lock` already
    /// makes its daemon the only one).
    func holdFleetLock(_ lock: FleetLock) throws -> Bool


    // MARK: MediaCrashes

    /// Counts one more death of the job's media child process (killed by a signal or for a
    /// resource limit) and returns the new count. The count is durable, so it survives a daemon
    /// restart. Throws `.leaseLost` (changing nothing) when `lease` is no longer held.
    func recordMediaCrash(_ lease: LeaseToken) throws -> Int

    /// How many times the job's media child died so far (0 for an unknown job).
    func mediaCrashes(jobId: Int64) throws -> Int
}
