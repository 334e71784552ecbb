import Foundation
import Testing
@testable import IngestStore

/// Collects results from several threads.
private final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int64] = []
    private var errors: [String] = []

    func add(_ value: Int64) { lock.lock(); values.append(value); lock.unlock() }
    func fail(_ error: Error) { lock.lock(); errors.append("\(error)"); lock.unlock() }
    var snapshot: (values: [Int64], errors: [String]) { lock.lock(); defer { lock.unlock() }; return (values, errors) }
}

@Suite struct JobTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    @Test(arguments: StoreKind.allCases)
    func claimJob_claimsOldestAvailable_setsLeaseAndAttempt(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let first = try create(store, now: t0)
        _ = try create(store, now: t0.addingTimeInterval(1))
        let job = try unwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0.addingTimeInterval(5)))
        expectEqual(job.videoId, first)
        expectEqual(job.state, "running")
        expectEqual(job.attempt, 1)
        expectEqual(job.leaseOwner, "w1")
        expectEqual(job.leaseExpiresAt, 1_700_000_035_000)
        expectEqual(job.lease, LeaseToken(jobId: job.id, owner: "w1", generation: 1))
        expectEqual(try store.job(videoId: first), job)
    }

    @Test(arguments: StoreKind.allCases)
    func claimJob_nothingDue_returnsNil(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        _ = try create(store, now: t0)
        expectNil(try store.claimJob(owner: "w1", leaseSeconds: 30, now: t0.addingTimeInterval(-1)))
        expectNotNil(try store.claimJob(owner: "w1", leaseSeconds: 30, now: t0))
        expectNil(try store.claimJob(owner: "w1", leaseSeconds: 30, now: t0))
    }

    @Test(arguments: StoreKind.allCases)
    func claimJob_twoStoresManyThreads_eachJobClaimedExactlyOnce(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let setup = try fixture.openStore()
        let count = 60
        for _ in 0..<count { _ = try create(setup, now: t0) }
        let stores = [try fixture.openStore(), try fixture.openStore()]
        let collector = Collector()
        let now = t0.addingTimeInterval(1)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            let store = stores[worker % 2]
            do {
                while let job = try store.claimJob(owner: "w\(worker)", leaseSeconds: 60, now: now) {
                    collector.add(job.id)
                }
            } catch {
                collector.fail(error)
            }
        }
        let result = collector.snapshot
        expectEqual(result.errors, [])
        expectEqual(result.values.count, count)
        expectEqual(Set(result.values).count, count)
    }

    @Test(arguments: StoreKind.allCases)
    func renewLease_extendsLease_countsBeats_andAnotherTokenGetsLeaseLost(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store, now: t0)
        let token = try unwrap(store.claimJob(owner: "w1", leaseSeconds: 10, now: t0)?.lease)
        try store.renewLease(token, leaseSeconds: 10, now: t0.addingTimeInterval(8))
        expectEqual(try store.job(videoId: id)?.leaseExpiresAt, 1_700_000_018_000)
        expectEqual(try store.job(videoId: id)?.leaseBeats, 1)
        assertStoreError(.leaseLost) { try store.renewLease(LeaseToken(jobId: token.jobId, owner: "w2", generation: 1), leaseSeconds: 10) }
        assertStoreError(.leaseLost) { try store.renewLease(LeaseToken(jobId: token.jobId, owner: "w1", generation: 2), leaseSeconds: 10) }
    }

    /// Hole 3: a rescued job's first worker goes on; its writes (stage, progress, release,
    /// outcome) must change nothing once the second worker holds the lease.
    @Test(arguments: StoreKind.allCases)
    func everyJobWrite_withATakenOverLease_throwsLeaseLostAndChangesNothing(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store, now: t0)
        let first = try unwrap(store.claimJob(owner: "daemon-a", leaseSeconds: 10, now: t0)?.lease)
        let running = try unwrap(store.runningLeases().first)
        expectTrue(try store.requeueStaleLease(running.lease, beats: running.beats))
        let second = try unwrap(store.claimJob(owner: "daemon-a", leaseSeconds: 10, now: t0)?.lease, "same owner, new generation")
        expectEqual(second.generation, first.generation + 1)
        try store.recordStage(second, stage: "download", result: #"{"by":"second"}"#, marker: "downloaded", videoStage: "download")
        let jobBefore = try store.job(videoId: id), videoBefore = try store.video(id: id)

        assertStoreError(.leaseLost) { try store.recordStage(first, stage: "download", result: #"{"by":"first"}"#, marker: "checked", videoStage: "x") }
        assertStoreError(.leaseLost) { try store.setProgress(first, stage: "optimize", progress: 0.5) }
        assertStoreError(.leaseLost) { try store.rewindStages(first, forgetting: ["download"], marker: nil) }
        assertStoreError(.leaseLost) { try store.releaseJob(first, runAt: self.t0, error: "late", countAsFault: true) }
        assertStoreError(.leaseLost) { _ = try store.recordMediaCrash(first) }
        assertStoreError(.leaseLost) { _ = try store.failVideo(first, videoId: id, errorCode: "x", errorMessage: nil) }
        assertStoreError(.leaseLost) {
            _ = try store.succeedVideo(first, videoId: id, optimizedVideoUrl: "file:///x", posterUrl: nil, durationSeconds: 1, autoApprove: false)
        }
        expectEqual(try store.job(videoId: id), jobBefore)
        expectEqual(try store.video(id: id), videoBefore)
        expectEqual(try store.stageResults(jobId: first.jobId), ["download": #"{"by":"second"}"#])
        _ = try store.succeedVideo(second, videoId: id, optimizedVideoUrl: "file:///x", posterUrl: nil, durationSeconds: 1, autoApprove: false)
        expectEqual(try store.job(videoId: id)?.state, "done")
    }

    @Test(arguments: StoreKind.allCases)
    func requeueStaleLease_onlyWhenGenerationAndBeatsAreUnchanged(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let a = try create(store, now: t0)
        let token = try unwrap(store.claimJob(owner: "w1", leaseSeconds: 10, now: t0)?.lease)
        try store.renewLease(token, leaseSeconds: 10, now: t0)
        expectFalse(try store.requeueStaleLease(token, beats: 0), "renewed since it was seen")
        expectTrue(try store.requeueStaleLease(token, beats: 1))
        expectEqual(try store.job(videoId: a)?.state, "available")
        expectFalse(try store.requeueStaleLease(token, beats: 1), "already requeued")
        let again = try unwrap(store.claimJob(owner: "w3", leaseSeconds: 10, now: t0))
        expectEqual(again.attempt, 2)
        assertStoreError(.leaseLost) { try store.renewLease(token, leaseSeconds: 10) }
    }

    @Test(arguments: StoreKind.allCases)
    func requeueAllRunning_makesEveryRunningJobAvailable(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let a = try create(store, now: t0)
        _ = try create(store, now: t0)
        _ = try store.claimJob(owner: "w1", leaseSeconds: 600, now: t0)
        _ = try store.claimJob(owner: "w2", leaseSeconds: 600, now: t0)
        _ = try succeed(store, a)
        expectEqual(try store.requeueAllRunning(), 1)
        expectEqual(try store.job(videoId: a)?.state, "done")
        expectEqual(try store.requeueAllRunning(), 0)
    }

    @Test(arguments: StoreKind.allCases)
    func releaseJob_futureRunAt_notClaimableUntilThen(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store, now: t0)
        let job = try unwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0))
        try store.releaseJob(try unwrap(job.lease), runAt: t0.addingTimeInterval(60), error: "HTTP 503", countAsFault: false)
        let released = try unwrap(store.job(videoId: id))
        expectEqual(released.state, "available")
        expectEqual(released.lastError, "HTTP 503")
        expectEqual(released.faultAttempts, 0)
        expectNil(released.leaseOwner)
        expectNil(try store.claimJob(owner: "w1", leaseSeconds: 30, now: t0.addingTimeInterval(59)))
        let again = try unwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0.addingTimeInterval(60)))
        expectEqual(again.attempt, 2)
    }

    /// Hole 3: worker faults are capped; past `maxFaultAttempts` the job is parked `stuck` (the
    /// video stays IN_PROGRESS, stage "stuck", the fault as errorMessage) until `retryStuck`.
    @Test(arguments: StoreKind.allCases)
    func releaseJob_faultsUpToTheCap_parkStuck_andRetryStuckRequeues(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store, now: t0)
        for round in 1...3 {
            let job = try unwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0), "round \(round)")
            let state = try store.releaseJob(try unwrap(job.lease), runAt: t0, error: "disk full \(round)", countAsFault: true, maxFaultAttempts: 3)
            expectEqual(state, round < 3 ? .available : .stuck)
            expectEqual(try store.job(videoId: id)?.faultAttempts, round)
        }
        expectNil(try store.claimJob(owner: "w1", leaseSeconds: 30, now: t0.addingTimeInterval(3600)), "a stuck job is not claimable")
        let video = try unwrap(store.video(id: id))
        expectEqual(video.status, .inProgress)
        expectEqual(video.stage, "stuck")
        expectEqual(video.errorMessage, "disk full 3")
        expectEqual(try store.stuckVideoIds(), [id])
        expectEqual(try store.list(ListQuery(stuck: true)).items.map(\.id), [id])
        assertStoreError(.invalidState) { _ = try store.retryStuck(videoId: try create(store, now: self.t0)) }

        expectEqual(try store.retryStuck(videoId: id, now: t0), [id])
        expectEqual(try store.stuckVideoIds(), [])
        expectNil(try store.video(id: id)?.errorMessage)
        let again = try unwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0, videoId: id))
        expectEqual(again.faultAttempts, 0)
    }

    @Test(arguments: StoreKind.allCases)
    func releaseJob_notRunning_throwsLeaseLost_unknownThrowsNotFound(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store, now: t0)
        let jobId = try unwrap(store.job(videoId: id)).id
        assertStoreError(.leaseLost) { try store.releaseJob(LeaseToken(jobId: jobId, owner: "w1", generation: 1), runAt: self.t0, error: nil, countAsFault: false) }
        assertStoreError(.notFound) { try store.releaseJob(LeaseToken(jobId: 9999, owner: "w1", generation: 1), runAt: self.t0, error: nil, countAsFault: false) }
    }

    @Test(arguments: StoreKind.allCases)
    func recordStage_keepsOneResultPerStage_acrossReopen_andRewindForgets(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        var id = ""
        var token: LeaseToken!
        do {
            let store = try fixture.openStore()
            id = try create(store, now: t0)
            token = try unwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0)?.lease)
            try store.recordStage(token, stage: "download", result: #"{"sizeBytes":123}"#, marker: "downloaded", videoStage: "download")
            try store.recordStage(token, stage: "check", result: #"{"format":"mp4"}"#, marker: "checked", videoStage: "check")
        }
        let store = try fixture.openStore()
        let job = try unwrap(store.job(videoId: id))
        expectEqual(job.stage, "checked")
        expectEqual(try store.stageResults(jobId: job.id), ["download": #"{"sizeBytes":123}"#, "check": #"{"format":"mp4"}"#],
                       "the check's result does not overwrite the download's")
        let video = try unwrap(store.video(id: id))
        expectEqual(video.stage, "check")
        expectGreaterThan(video.updatedAt, video.createdAt)
        try store.rewindStages(token, forgetting: ["download", "check", "optimize", "publish"], marker: nil)
        expectEqual(try store.stageResults(jobId: job.id), [:])
        expectNil(try store.job(videoId: id)?.stage)
    }

    @Test(arguments: StoreKind.allCases)
    func delete_cancelsTheUnsettledJob_andItsLeaseCanWriteNothing(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store, now: t0)
        let token = try unwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0)?.lease)
        _ = try store.delete(videoId: id)
        expectEqual(try store.job(videoId: id)?.state, "cancelled")
        expectFalse(try store.holdsLease(token))
        let before = try store.video(id: id)
        assertStoreError(.leaseLost) { try store.setProgress(token, stage: "optimize", progress: 0.9) }
        assertStoreError(.leaseLost) {
            _ = try store.succeedVideo(token, videoId: id, optimizedVideoUrl: "file:///x", posterUrl: nil, durationSeconds: 1, autoApprove: true)
        }
        expectEqual(try store.video(id: id), before, "no status change after the delete")
        expectNil(try store.claimJob(owner: "w2", leaseSeconds: 30, now: t0.addingTimeInterval(60)))
    }

    @Test(arguments: StoreKind.allCases)
    func setProgress_updatesStageAndProgress_fencedByTheLease(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store, now: t0)
        let token = try lease(store, id)
        try store.setProgress(token, stage: "optimize", progress: 0.25)
        let video = try unwrap(store.video(id: id))
        expectEqual(video.stage, "optimize")
        expectEqual(video.progress, 0.25)
        try store.setProgress(token, stage: "publish", progress: nil)
        expectNil(try store.video(id: id)?.progress)
        assertStoreError(.notFound) { try store.setProgress(LeaseToken(jobId: 999, owner: "w1", generation: 1), stage: "x", progress: nil) }
    }
}
