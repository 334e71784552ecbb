import Foundation
import Testing
@testable import IngestStore

/// The published objects and the outbox of objects to delete (migration 4).
@Suite struct ObjectOutboxTests {
    private func objects(_ id: String) -> [StoredObject] {
        ["\(id)/poster.jpg", "\(id)/video_hd.mp4"].map { StoredObject(endpoint: "http://127.0.0.1:9", bucket: "videos", key: $0) }
    }

    @Test(arguments: StoreKind.allCases)
    func delete_movesTheVideosObjectsIntoTheOutbox_inItsTransaction_andSurvivesReopening(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store)
        try store.recordPublishedObjects(videoId: id, objects(id))
        try store.recordPublishedObjects(videoId: id, objects(id))  // a repeat after a crash is harmless
        try succeed(store, id)
        expectEqual(try store.publishedObjects(videoId: id), objects(id))
        expectEqual(try store.pendingObjectDeletionCount(), 0)
        _ = try store.delete(videoId: id)
        expectEqual(try store.publishedObjects(videoId: id), [])
        let reopened = try fixture.openStore()
        let due = try reopened.dueObjectDeletions()
        expectEqual(due.map(\.object), objects(id))
        expectEqual(Set(due.map(\.videoId)), [id])
    }

    @Test(arguments: StoreKind.allCases)
    func reject_queuesTheObjects_andAPostponedEntryIsDueOnlyLater(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store)
        try store.recordPublishedObjects(videoId: id, objects(id))
        try succeed(store, id)
        _ = try store.reject(videoId: id, reason: "blurry")
        let first = try unwrap(try store.dueObjectDeletions().first)
        try store.postponeObjectDeletion(id: first.id, error: "S3 unreachable", retryAt: Date().addingTimeInterval(60))
        expectEqual(try store.dueObjectDeletions().count, 1, "the other object is still due")
        expectEqual(try store.dueObjectDeletions(now: Date().addingTimeInterval(61)).first { $0.id == first.id }?.attempts, 1)
        for entry in try store.dueObjectDeletions(now: Date().addingTimeInterval(61)) { try store.finishObjectDeletion(id: entry.id) }
        expectEqual(try store.pendingObjectDeletionCount(), 0)
    }

    @Test(arguments: StoreKind.allCases)
    func objectsRecordedAfterADelete_goStraightToTheOutbox(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store)
        _ = try store.delete(videoId: id)
        try store.recordPublishedObjects(videoId: id, objects(id))
        expectEqual(try store.publishedObjects(videoId: id), [])
        expectEqual(try store.pendingObjectDeletionCount(), 2)
    }
}
