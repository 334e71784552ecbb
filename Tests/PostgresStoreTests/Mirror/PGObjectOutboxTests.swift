// A mirror of Tests/IngestStoreTests/ObjectOutboxTests.swift run against PostgresVideoStore (made mechanically:
// StoreTestCase -> PGStoreTestCase, VideoStore -> PostgresVideoStore; SQLite file-upgrade cases left out).
// It goes away when the shared conformance suite runs these cases against both drivers.
import Foundation
import XCTest
@testable import IngestStore

/// The published objects and the outbox of objects to delete (migration 4).
final class PGObjectOutboxTests: PGStoreTestCase {
    private func objects(_ id: String) -> [StoredObject] {
        ["\(id)/poster.jpg", "\(id)/video_hd.mp4"].map { StoredObject(endpoint: "http://127.0.0.1:9", bucket: "videos", key: $0) }
    }

    func testDelete_movesTheVideosObjectsIntoTheOutbox_inItsTransaction_andSurvivesReopening() throws {
        let store = try openStore()
        let id = try create(store)
        try store.recordPublishedObjects(videoId: id, objects(id))
        try store.recordPublishedObjects(videoId: id, objects(id))  // a repeat after a crash is harmless
        try succeed(store, id)
        XCTAssertEqual(try store.publishedObjects(videoId: id), objects(id))
        XCTAssertEqual(try store.pendingObjectDeletionCount(), 0)
        _ = try store.delete(videoId: id)
        XCTAssertEqual(try store.publishedObjects(videoId: id), [])
        let reopened = try openStore()
        let due = try reopened.dueObjectDeletions()
        XCTAssertEqual(due.map(\.object), objects(id))
        XCTAssertEqual(Set(due.map(\.videoId)), [id])
    }

    func testReject_queuesTheObjects_andAPostponedEntryIsDueOnlyLater() throws {
        let store = try openStore()
        let id = try create(store)
        try store.recordPublishedObjects(videoId: id, objects(id))
        try succeed(store, id)
        _ = try store.reject(videoId: id, reason: "blurry")
        let first = try XCTUnwrap(try store.dueObjectDeletions().first)
        try store.postponeObjectDeletion(id: first.id, error: "S3 unreachable", retryAt: Date().addingTimeInterval(60))
        XCTAssertEqual(try store.dueObjectDeletions().count, 1, "the other object is still due")
        XCTAssertEqual(try store.dueObjectDeletions(now: Date().addingTimeInterval(61)).first { $0.id == first.id }?.attempts, 1)
        for entry in try store.dueObjectDeletions(now: Date().addingTimeInterval(61)) { try store.finishObjectDeletion(id: entry.id) }
        XCTAssertEqual(try store.pendingObjectDeletionCount(), 0)
    }

    func testObjectsRecordedAfterADelete_goStraightToTheOutbox() throws {
        let store = try openStore()
        let id = try create(store)
        _ = try store.delete(videoId: id)
        try store.recordPublishedObjects(videoId: id, objects(id))
        XCTAssertEqual(try store.publishedObjects(videoId: id), [])
        XCTAssertEqual(try store.pendingObjectDeletionCount(), 2)
    }
}
