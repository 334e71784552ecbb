// A mirror of Tests/IngestStoreTests/JobTests.swift run against PostgresVideoStore (made mechanically:
// StoreTestCase -> PGStoreTestCase, VideoStore -> PostgresVideoStore; SQLite file-upgrade cases left out).
// It goes away when the shared conformance suite runs these cases against both drivers.
import Foundation
import XCTest
@testable import IngestStore

/// Collects results from several threads.
private final class JobCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int64] = []
    private var errors: [String] = []

    func add(_ value: Int64) { lock.lock(); values.append(value); lock.unlock() }
    func fail(_ error: Error) { lock.lock(); errors.append("\(error)"); lock.unlock() }
    var snapshot: (values: [Int64], errors: [String]) { lock.lock(); defer { lock.unlock() }; return (values, errors) }
}

final class PGJobTests: PGStoreTestCase {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    func testClaimJob_claimsOldestAvailable_setsLeaseAndAttempt() throws {
        let store = try openStore()
        let first = try create(store, now: t0)
        _ = try create(store, now: t0.addingTimeInterval(1))
        let job = try XCTUnwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0.addingTimeInterval(5)))
        XCTAssertEqual(job.videoId, first)
        XCTAssertEqual(job.state, "running")
        XCTAssertEqual(job.attempt, 1)
        XCTAssertEqual(job.leaseOwner, "w1")
        XCTAssertEqual(job.leaseExpiresAt, 1_700_000_035_000)
        XCTAssertEqual(job.lease, LeaseToken(jobId: job.id, owner: "w1", generation: 1))
        XCTAssertEqual(try store.job(videoId: first), job)
    }

    func testClaimJob_nothingDue_returnsNil() throws {
        let store = try openStore()
        _ = try create(store, now: t0)
        XCTAssertNil(try store.claimJob(owner: "w1", leaseSeconds: 30, now: t0.addingTimeInterval(-1)))
        XCTAssertNotNil(try store.claimJob(owner: "w1", leaseSeconds: 30, now: t0))
        XCTAssertNil(try store.claimJob(owner: "w1", leaseSeconds: 30, now: t0))
    }

    func testClaimJob_twoStoresManyThreads_eachJobClaimedExactlyOnce() throws {
        let setup = try openStore()
        let count = 60
        for _ in 0..<count { _ = try create(setup, now: t0) }
        let stores = [try openStore(), try openStore()]
        let collector = JobCollector()
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
        XCTAssertEqual(result.errors, [])
        XCTAssertEqual(result.values.count, count)
        XCTAssertEqual(Set(result.values).count, count)
    }

    func testRenewLease_extendsLease_countsBeats_andAnotherTokenGetsLeaseLost() throws {
        let store = try openStore()
        let id = try create(store, now: t0)
        let token = try XCTUnwrap(store.claimJob(owner: "w1", leaseSeconds: 10, now: t0)?.lease)
        try store.renewLease(token, leaseSeconds: 10, now: t0.addingTimeInterval(8))
        XCTAssertEqual(try store.job(videoId: id)?.leaseExpiresAt, 1_700_000_018_000)
        XCTAssertEqual(try store.job(videoId: id)?.leaseBeats, 1)
        assertStoreError(.leaseLost) { try store.renewLease(LeaseToken(jobId: token.jobId, owner: "w2", generation: 1), leaseSeconds: 10) }
        assertStoreError(.leaseLost) { try store.renewLease(LeaseToken(jobId: token.jobId, owner: "w1", generation: 2), leaseSeconds: 10) }
    }

    /// Hole 3: a rescued job's first worker goes on; its writes (stage, progress, release,
    /// outcome) must change nothing once the second worker holds the lease.
    func testEveryJobWrite_withATakenOverLease_throwsLeaseLostAndChangesNothing() throws {
        let store = try openStore()
        let id = try create(store, now: t0)
        let first = try XCTUnwrap(store.claimJob(owner: "daemon-a", leaseSeconds: 10, now: t0)?.lease)
        let running = try XCTUnwrap(store.runningLeases().first)
        XCTAssertTrue(try store.requeueStaleLease(running.lease, beats: running.beats))
        let second = try XCTUnwrap(store.claimJob(owner: "daemon-a", leaseSeconds: 10, now: t0)?.lease, "same owner, new generation")
        XCTAssertEqual(second.generation, first.generation + 1)
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
        XCTAssertEqual(try store.job(videoId: id), jobBefore)
        XCTAssertEqual(try store.video(id: id), videoBefore)
        XCTAssertEqual(try store.stageResults(jobId: first.jobId), ["download": #"{"by":"second"}"#])
        _ = try store.succeedVideo(second, videoId: id, optimizedVideoUrl: "file:///x", posterUrl: nil, durationSeconds: 1, autoApprove: false)
        XCTAssertEqual(try store.job(videoId: id)?.state, "done")
    }

    func testRequeueStaleLease_onlyWhenGenerationAndBeatsAreUnchanged() throws {
        let store = try openStore()
        let a = try create(store, now: t0)
        let token = try XCTUnwrap(store.claimJob(owner: "w1", leaseSeconds: 10, now: t0)?.lease)
        try store.renewLease(token, leaseSeconds: 10, now: t0)
        XCTAssertFalse(try store.requeueStaleLease(token, beats: 0), "renewed since it was seen")
        XCTAssertTrue(try store.requeueStaleLease(token, beats: 1))
        XCTAssertEqual(try store.job(videoId: a)?.state, "available")
        XCTAssertFalse(try store.requeueStaleLease(token, beats: 1), "already requeued")
        let again = try XCTUnwrap(store.claimJob(owner: "w3", leaseSeconds: 10, now: t0))
        XCTAssertEqual(again.attempt, 2)
        assertStoreError(.leaseLost) { try store.renewLease(token, leaseSeconds: 10) }
    }

    func testRequeueAllRunning_makesEveryRunningJobAvailable() throws {
        let store = try openStore()
        let a = try create(store, now: t0)
        _ = try create(store, now: t0)
        _ = try store.claimJob(owner: "w1", leaseSeconds: 600, now: t0)
        _ = try store.claimJob(owner: "w2", leaseSeconds: 600, now: t0)
        _ = try succeed(store, a)
        XCTAssertEqual(try store.requeueAllRunning(), 1)
        XCTAssertEqual(try store.job(videoId: a)?.state, "done")
        XCTAssertEqual(try store.requeueAllRunning(), 0)
    }

    func testReleaseJob_futureRunAt_notClaimableUntilThen() throws {
        let store = try openStore()
        let id = try create(store, now: t0)
        let job = try XCTUnwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0))
        try store.releaseJob(try XCTUnwrap(job.lease), runAt: t0.addingTimeInterval(60), error: "HTTP 503", countAsFault: false)
        let released = try XCTUnwrap(store.job(videoId: id))
        XCTAssertEqual(released.state, "available")
        XCTAssertEqual(released.lastError, "HTTP 503")
        XCTAssertEqual(released.faultAttempts, 0)
        XCTAssertNil(released.leaseOwner)
        XCTAssertNil(try store.claimJob(owner: "w1", leaseSeconds: 30, now: t0.addingTimeInterval(59)))
        let again = try XCTUnwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0.addingTimeInterval(60)))
        XCTAssertEqual(again.attempt, 2)
    }

    /// Hole 3: worker faults are capped; past `maxFaultAttempts` the job is parked `stuck` (the
    /// video stays IN_PROGRESS, stage "stuck", the fault as errorMessage) until `retryStuck`.
    func testReleaseJob_faultsUpToTheCap_parkStuck_andRetryStuckRequeues() throws {
        let store = try openStore()
        let id = try create(store, now: t0)
        for round in 1...3 {
            let job = try XCTUnwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0), "round \(round)")
            let state = try store.releaseJob(try XCTUnwrap(job.lease), runAt: t0, error: "disk full \(round)", countAsFault: true, maxFaultAttempts: 3)
            XCTAssertEqual(state, round < 3 ? .available : .stuck)
            XCTAssertEqual(try store.job(videoId: id)?.faultAttempts, round)
        }
        XCTAssertNil(try store.claimJob(owner: "w1", leaseSeconds: 30, now: t0.addingTimeInterval(3600)), "a stuck job is not claimable")
        let video = try XCTUnwrap(store.video(id: id))
        XCTAssertEqual(video.status, .inProgress)
        XCTAssertEqual(video.stage, "stuck")
        XCTAssertEqual(video.errorMessage, "disk full 3")
        XCTAssertEqual(try store.stuckVideoIds(), [id])
        XCTAssertEqual(try store.list(ListQuery(stuck: true)).items.map(\.id), [id])
        assertStoreError(.invalidState) { _ = try store.retryStuck(videoId: try self.create(store, now: self.t0)) }

        XCTAssertEqual(try store.retryStuck(videoId: id, now: t0), [id])
        XCTAssertEqual(try store.stuckVideoIds(), [])
        XCTAssertNil(try store.video(id: id)?.errorMessage)
        let again = try XCTUnwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0, videoId: id))
        XCTAssertEqual(again.faultAttempts, 0)
    }

    func testReleaseJob_notRunning_throwsLeaseLost_unknownThrowsNotFound() throws {
        let store = try openStore()
        let id = try create(store, now: t0)
        let jobId = try XCTUnwrap(store.job(videoId: id)).id
        assertStoreError(.leaseLost) { try store.releaseJob(LeaseToken(jobId: jobId, owner: "w1", generation: 1), runAt: self.t0, error: nil, countAsFault: false) }
        assertStoreError(.notFound) { try store.releaseJob(LeaseToken(jobId: 9999, owner: "w1", generation: 1), runAt: self.t0, error: nil, countAsFault: false) }
    }

    func testRecordStage_keepsOneResultPerStage_acrossReopen_andRewindForgets() throws {
        var id = ""
        var token: LeaseToken!
        do {
            let store = try openStore()
            id = try create(store, now: t0)
            token = try XCTUnwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0)?.lease)
            try store.recordStage(token, stage: "download", result: #"{"sizeBytes":123}"#, marker: "downloaded", videoStage: "download")
            try store.recordStage(token, stage: "check", result: #"{"format":"mp4"}"#, marker: "checked", videoStage: "check")
        }
        let store = try openStore()
        let job = try XCTUnwrap(store.job(videoId: id))
        XCTAssertEqual(job.stage, "checked")
        XCTAssertEqual(try store.stageResults(jobId: job.id), ["download": #"{"sizeBytes":123}"#, "check": #"{"format":"mp4"}"#],
                       "the check's result does not overwrite the download's")
        let video = try XCTUnwrap(store.video(id: id))
        XCTAssertEqual(video.stage, "check")
        XCTAssertGreaterThan(video.updatedAt, video.createdAt)
        try store.rewindStages(token, forgetting: ["download", "check", "optimize", "publish"], marker: nil)
        XCTAssertEqual(try store.stageResults(jobId: job.id), [:])
        XCTAssertNil(try store.job(videoId: id)?.stage)
    }

    func testDelete_cancelsTheUnsettledJob_andItsLeaseCanWriteNothing() throws {
        let store = try openStore()
        let id = try create(store, now: t0)
        let token = try XCTUnwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0)?.lease)
        _ = try store.delete(videoId: id)
        XCTAssertEqual(try store.job(videoId: id)?.state, "cancelled")
        XCTAssertFalse(try store.holdsLease(token))
        let before = try store.video(id: id)
        assertStoreError(.leaseLost) { try store.setProgress(token, stage: "optimize", progress: 0.9) }
        assertStoreError(.leaseLost) {
            _ = try store.succeedVideo(token, videoId: id, optimizedVideoUrl: "file:///x", posterUrl: nil, durationSeconds: 1, autoApprove: true)
        }
        XCTAssertEqual(try store.video(id: id), before, "no status change after the delete")
        XCTAssertNil(try store.claimJob(owner: "w2", leaseSeconds: 30, now: t0.addingTimeInterval(60)))
    }

    func testSetProgress_updatesStageAndProgress_fencedByTheLease() throws {
        let store = try openStore()
        let id = try create(store, now: t0)
        let token = try lease(store, id)
        try store.setProgress(token, stage: "optimize", progress: 0.25)
        let video = try XCTUnwrap(store.video(id: id))
        XCTAssertEqual(video.stage, "optimize")
        XCTAssertEqual(video.progress, 0.25)
        try store.setProgress(token, stage: "publish", progress: nil)
        XCTAssertNil(try store.video(id: id)?.progress)
        assertStoreError(.notFound) { try store.setProgress(LeaseToken(jobId: 999, owner: "w1", generation: 1), stage: "x", progress: nil) }
    }
}
