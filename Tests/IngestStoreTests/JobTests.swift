import Foundation
import XCTest
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

final class JobTests: StoreTestCase {
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
        XCTAssertEqual(result.errors, [])
        XCTAssertEqual(result.values.count, count)
        XCTAssertEqual(Set(result.values).count, count)
    }

    func testRenewLease_extendsLease_andOtherOwnerGetsLeaseLost() throws {
        let store = try openStore()
        let id = try create(store, now: t0)
        let job = try XCTUnwrap(store.claimJob(owner: "w1", leaseSeconds: 10, now: t0))
        try store.renewLease(jobId: job.id, owner: "w1", leaseSeconds: 10, now: t0.addingTimeInterval(8))
        XCTAssertEqual(try store.job(videoId: id)?.leaseExpiresAt, 1_700_000_018_000)
        assertStoreError(.leaseLost) { try store.renewLease(jobId: job.id, owner: "w2", leaseSeconds: 10) }
    }

    func testRequeueExpiredLeases_onlyExpiredBecomeAvailableAndClaimableAgain() throws {
        let store = try openStore()
        let a = try create(store, now: t0)
        let b = try create(store, now: t0)
        let jobA = try XCTUnwrap(store.claimJob(owner: "w1", leaseSeconds: 10, now: t0))
        _ = try XCTUnwrap(store.claimJob(owner: "w2", leaseSeconds: 100, now: t0))
        XCTAssertEqual(try store.requeueExpiredLeases(now: t0.addingTimeInterval(5)), 0)
        XCTAssertEqual(try store.requeueExpiredLeases(now: t0.addingTimeInterval(11)), 1)
        XCTAssertEqual(try store.job(videoId: a)?.state, "available")
        XCTAssertNil(try store.job(videoId: a)?.leaseOwner)
        XCTAssertEqual(try store.job(videoId: b)?.state, "running")
        let again = try XCTUnwrap(store.claimJob(owner: "w3", leaseSeconds: 10, now: t0.addingTimeInterval(12)))
        XCTAssertEqual(again.id, jobA.id)
        XCTAssertEqual(again.attempt, 2)
        assertStoreError(.leaseLost) { try store.renewLease(jobId: jobA.id, owner: "w1", leaseSeconds: 10) }
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
        try store.releaseJob(jobId: job.id, runAt: t0.addingTimeInterval(60), error: "HTTP 503", countAsFault: false)
        let released = try XCTUnwrap(store.job(videoId: id))
        XCTAssertEqual(released.state, "available")
        XCTAssertEqual(released.lastError, "HTTP 503")
        XCTAssertEqual(released.faultAttempts, 0)
        XCTAssertNil(released.leaseOwner)
        XCTAssertNil(try store.claimJob(owner: "w1", leaseSeconds: 30, now: t0.addingTimeInterval(59)))
        let again = try XCTUnwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0.addingTimeInterval(60)))
        XCTAssertEqual(again.attempt, 2)
    }

    func testReleaseJob_countAsFault_incrementsFaultAttempts() throws {
        let store = try openStore()
        let id = try create(store, now: t0)
        for round in 1...2 {
            let job = try XCTUnwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0))
            try store.releaseJob(jobId: job.id, runAt: t0, error: nil, countAsFault: true)
            XCTAssertEqual(try store.job(videoId: id)?.faultAttempts, round)
        }
    }

    func testReleaseJob_notRunning_throwsInvalidState_unknownThrowsNotFound() throws {
        let store = try openStore()
        let id = try create(store, now: t0)
        let jobId = try XCTUnwrap(store.job(videoId: id)).id
        assertStoreError(.invalidState) { try store.releaseJob(jobId: jobId, runAt: self.t0, error: nil, countAsFault: false) }
        assertStoreError(.notFound) { try store.releaseJob(jobId: 9999, runAt: self.t0, error: nil, countAsFault: false) }
    }

    func testRecordStage_persistsAcrossReopen() throws {
        var id = ""
        do {
            let store = try openStore()
            id = try create(store, now: t0)
            let job = try XCTUnwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0))
            try store.recordStage(jobId: job.id, stage: "downloaded", stageData: #"{"bytes":123}"#, videoStage: "DOWNLOADED")
        }
        let store = try openStore()
        let job = try XCTUnwrap(store.job(videoId: id))
        XCTAssertEqual(job.stage, "downloaded")
        XCTAssertEqual(job.stageData, #"{"bytes":123}"#)
        let video = try XCTUnwrap(store.video(id: id))
        XCTAssertEqual(video.stage, "DOWNLOADED")
        XCTAssertGreaterThan(video.updatedAt, video.createdAt)
        assertStoreError(.notFound) { try store.recordStage(jobId: 9999, stage: "x", stageData: nil, videoStage: nil) }
    }

    func testRecordStage_nilVideoStage_keepsVideoStage() throws {
        let store = try openStore()
        let id = try create(store, now: t0)
        let job = try XCTUnwrap(store.claimJob(owner: "w1", leaseSeconds: 30, now: t0))
        try store.setProgress(videoId: id, stage: "DOWNLOADING", progress: 0.5)
        try store.recordStage(jobId: job.id, stage: "downloaded", stageData: nil, videoStage: nil)
        XCTAssertEqual(try store.video(id: id)?.stage, "DOWNLOADING")
        XCTAssertEqual(try store.job(videoId: id)?.stage, "downloaded")
    }

    func testSetProgress_updatesStageAndProgress_unknownThrowsNotFound() throws {
        let store = try openStore()
        let id = try create(store, now: t0)
        try store.setProgress(videoId: id, stage: "OPTIMIZING", progress: 0.25)
        let video = try XCTUnwrap(store.video(id: id))
        XCTAssertEqual(video.stage, "OPTIMIZING")
        XCTAssertEqual(video.progress, 0.25)
        try store.setProgress(videoId: id, stage: "PUBLISHING", progress: nil)
        XCTAssertNil(try store.video(id: id)?.progress)
        assertStoreError(.notFound) { try store.setProgress(videoId: "nope", stage: "x", progress: nil) }
    }
}
