// A mirror of Tests/IngestStoreTests/OutcomeTests.swift run against PostgresVideoStore (made mechanically:
// StoreTestCase -> PGStoreTestCase, VideoStore -> PostgresVideoStore; SQLite file-upgrade cases left out).
// It goes away when the shared conformance suite runs these cases against both drivers.
import Foundation
import XCTest
@testable import IngestStore

final class PGOutcomeTests: PGStoreTestCase {
    func testFailVideo_marksVideoFailedAndJobFailed() throws {
        let store = try openStore()
        let id = try create(store)
        let changed = try store.failVideo(try lease(store, id), videoId: id, errorCode: "seller.integration.video.duration.invalid",
                                          errorMessage: "duration 3.0 s is below 8 s")
        XCTAssertEqual(changed, [id])
        let video = try XCTUnwrap(store.video(id: id))
        XCTAssertEqual(video.status, .failed)
        XCTAssertEqual(video.errorCode, "seller.integration.video.duration.invalid")
        XCTAssertEqual(video.errorMessage, "duration 3.0 s is below 8 s")
        XCTAssertNil(video.optimizedVideoUrl)
        XCTAssertFalse(video.isApproved)
        let job = try XCTUnwrap(store.job(videoId: id))
        XCTAssertEqual(job.state, "failed")
        XCTAssertNil(job.leaseOwner)
        XCTAssertEqual(job.lastError, "duration 3.0 s is below 8 s")
        XCTAssertNil(try store.claimJob(owner: "w1", leaseSeconds: 30))
    }

    func testOutcomeWrites_afterTheLeaseIsSettled_throwLeaseLostAndChangeNothing() throws {
        let store = try openStore()
        let id = try create(store)
        let token = try lease(store, id)
        _ = try store.succeedVideo(token, videoId: id, optimizedVideoUrl: "file:///v.mp4", posterUrl: nil, durationSeconds: 10, autoApprove: false)
        let before = try XCTUnwrap(store.video(id: id))
        assertStoreError(.leaseLost) { _ = try store.failVideo(token, videoId: id, errorCode: "x", errorMessage: nil) }
        assertStoreError(.leaseLost) {
            _ = try store.succeedVideo(token, videoId: id, optimizedVideoUrl: "file:///other.mp4", posterUrl: nil, durationSeconds: 1, autoApprove: true)
        }
        XCTAssertEqual(try store.video(id: id), before)
        assertStoreError(.notFound) {
            _ = try store.failVideo(LeaseToken(jobId: 999, owner: "w1", generation: 1), videoId: "nope", errorCode: "x", errorMessage: nil)
        }
    }

    func testSucceedVideo_setsSuccessFieldsAndJobDone() throws {
        let store = try openStore()
        let id = try create(store)
        let changed = try store.succeedVideo(try lease(store, id), videoId: id, optimizedVideoUrl: "https://cdn/\(id)/video_hd.mp4",
                                             posterUrl: "https://cdn/\(id)/poster.jpg", durationSeconds: 12.5,
                                             autoApprove: false)
        XCTAssertEqual(changed, [id])
        let video = try XCTUnwrap(store.video(id: id))
        XCTAssertEqual(video.status, .success)
        XCTAssertEqual(video.optimizedVideoUrl, "https://cdn/\(id)/video_hd.mp4")
        XCTAssertEqual(video.posterUrl, "https://cdn/\(id)/poster.jpg")
        XCTAssertEqual(video.durationSeconds, 12.5)
        XCTAssertNil(video.errorCode)
        XCTAssertEqual(video.approval, .pending)
        XCTAssertFalse(video.isApproved)
        XCTAssertEqual(try store.job(videoId: id)?.state, "done")
    }

    func testSucceedVideo_autoApprove_isApprovedAtOnce() throws {
        let store = try openStore()
        let id = try create(store)
        try succeed(store, id, autoApprove: true)
        let video = try XCTUnwrap(store.video(id: id))
        XCTAssertEqual(video.approval, .approved)
        XCTAssertTrue(video.isApproved)
    }

    func testSucceedVideo_autoApproveAfterRejectWhileInProgress_staysRejected() throws {
        let store = try openStore()
        let id = try create(store)
        _ = try store.reject(videoId: id, reason: "off-topic")
        try succeed(store, id, autoApprove: true)
        let video = try XCTUnwrap(store.video(id: id))
        XCTAssertEqual(video.approval, .rejected)
        XCTAssertFalse(video.isApproved)
        XCTAssertEqual(video.productContentIds, [])
    }
}
