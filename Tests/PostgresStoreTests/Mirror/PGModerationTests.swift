// A mirror of Tests/IngestStoreTests/ModerationTests.swift run against PostgresVideoStore (made mechanically:
// StoreTestCase -> PGStoreTestCase, VideoStore -> PostgresVideoStore; SQLite file-upgrade cases left out).
// It goes away when the shared conformance suite runs these cases against both drivers.
import Foundation
import XCTest
@testable import IngestStore

final class PGModerationTests: PGStoreTestCase {
    func testApprove_successVideo_isApproved() throws {
        let store = try openStore()
        let id = try create(store)
        try succeed(store, id)
        XCTAssertEqual(try store.approve(videoId: id), [id])
        XCTAssertEqual(try store.video(id: id)?.isApproved, true)
        XCTAssertEqual(try store.approve(videoId: id), [id], "approving twice is harmless")
    }

    func testApprove_inProgressOrFailed_throwsInvalidState() throws {
        let store = try openStore()
        let running = try create(store)
        let failed = try create(store)
        _ = try store.failVideo(try lease(store, failed), videoId: failed, errorCode: "x", errorMessage: nil)
        assertStoreError(.invalidState) { _ = try store.approve(videoId: running) }
        assertStoreError(.invalidState) { _ = try store.approve(videoId: failed) }
        XCTAssertEqual(try store.video(id: running)?.approval, .pending)
    }

    func testApprove_rejected_throwsInvalidStateForGood() throws {
        let store = try openStore()
        let id = try create(store)
        try succeed(store, id, autoApprove: true)
        XCTAssertEqual(try store.video(id: id)?.isApproved, true)
        _ = try store.reject(videoId: id, reason: "nope")
        XCTAssertEqual(try store.video(id: id)?.isApproved, false)
        assertStoreError(.invalidState) { _ = try store.approve(videoId: id) }
        XCTAssertEqual(try store.video(id: id)?.approval, .rejected)
    }

    func testModeration_unknownOrDeleted_throwsNotFound() throws {
        let store = try openStore()
        let id = try create(store)
        try succeed(store, id, autoApprove: true)
        XCTAssertEqual(try store.delete(videoId: id), [id])
        XCTAssertEqual(try store.video(id: id)?.isApproved, false, "a deleted video is never approved")
        for target in [id, "unknown"] {
            assertStoreError(.notFound) { _ = try store.approve(videoId: target) }
            assertStoreError(.notFound) { _ = try store.reject(videoId: target, reason: nil) }
            assertStoreError(.notFound) { _ = try store.delete(videoId: target) }
        }
    }

    func testDelete_inProgress_marksDeletedAndUnlisted() throws {
        let store = try openStore()
        let id = try create(store)
        XCTAssertEqual(try store.delete(videoId: id), [id])
        let video = try XCTUnwrap(store.video(id: id))
        XCTAssertTrue(video.deleted)
        XCTAssertEqual(video.productContentIds, [])
        XCTAssertEqual(try store.list(ListQuery()).total, 0)
        XCTAssertEqual(try store.allVideoIds(), [id])
    }
}
