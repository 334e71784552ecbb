import Foundation
import Testing
@testable import IngestStore

@Suite struct ModerationTests {
    @Test(arguments: StoreKind.allCases)
    func approve_successVideo_isApproved(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store)
        try succeed(store, id)
        expectEqual(try store.approve(videoId: id), [id])
        expectEqual(try store.video(id: id)?.isApproved, true)
        expectEqual(try store.approve(videoId: id), [id], "approving twice is harmless")
    }

    @Test(arguments: StoreKind.allCases)
    func approve_inProgressOrFailed_throwsInvalidState(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let running = try create(store)
        let failed = try create(store)
        _ = try store.failVideo(try lease(store, failed), videoId: failed, errorCode: "x", errorMessage: nil)
        assertStoreError(.invalidState) { _ = try store.approve(videoId: running) }
        assertStoreError(.invalidState) { _ = try store.approve(videoId: failed) }
        expectEqual(try store.video(id: running)?.approval, .pending)
    }

    @Test(arguments: StoreKind.allCases)
    func approve_rejected_throwsInvalidStateForGood(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store)
        try succeed(store, id, autoApprove: true)
        expectEqual(try store.video(id: id)?.isApproved, true)
        _ = try store.reject(videoId: id, reason: "nope")
        expectEqual(try store.video(id: id)?.isApproved, false)
        assertStoreError(.invalidState) { _ = try store.approve(videoId: id) }
        expectEqual(try store.video(id: id)?.approval, .rejected)
    }

    @Test(arguments: StoreKind.allCases)
    func moderation_unknownOrDeleted_throwsNotFound(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store)
        try succeed(store, id, autoApprove: true)
        expectEqual(try store.delete(videoId: id), [id])
        expectEqual(try store.video(id: id)?.isApproved, false, "a deleted video is never approved")
        for target in [id, "unknown"] {
            assertStoreError(.notFound) { _ = try store.approve(videoId: target) }
            assertStoreError(.notFound) { _ = try store.reject(videoId: target, reason: nil) }
            assertStoreError(.notFound) { _ = try store.delete(videoId: target) }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func delete_inProgress_marksDeletedAndUnlisted(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store)
        expectEqual(try store.delete(videoId: id), [id])
        let video = try unwrap(store.video(id: id))
        expectTrue(video.deleted)
        expectEqual(video.productContentIds, [])
        expectEqual(try store.list(ListQuery()).total, 0)
        expectEqual(try store.allVideoIds(), [id])
    }
}
