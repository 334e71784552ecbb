import Foundation
import Testing
@testable import IngestStore

@Suite struct SupersedeTests {
    @Test(arguments: StoreKind.allCases)
    func succeed_newerVideo_takesIdsFromOlderSuccess(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let old = try create(store, products: ["p1", "p2"])
        let new = try create(store, products: ["p2", "p3"])
        expectEqual(try succeed(store, old), [old])
        expectEqual(try succeed(store, new), [new, old])
        expectEqual(try shown(store, old), ["p1"])
        expectEqual(try shown(store, new), ["p2", "p3"])
        expectEqual(try store.video(id: old)?.requestedProductContentIds, ["p1", "p2"])
    }

    @Test(arguments: StoreKind.allCases)
    func succeed_newerVideo_removesIdsFromOlderInProgressAndFailed(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let inProgress = try create(store, products: ["p1"])
        let failed = try create(store, products: ["p1", "p9"])
        let new = try create(store, products: ["p1"])
        _ = try store.failVideo(try lease(store, failed), videoId: failed, errorCode: "x", errorMessage: nil)
        expectEqual(try succeed(store, new), [new, failed, inProgress])
        expectEqual(try shown(store, inProgress), [])
        expectEqual(try shown(store, failed), ["p9"])
        expectEqual(try shown(store, new), ["p1"])
    }

    @Test(arguments: StoreKind.allCases)
    func succeed_olderFinishingLater_doesNotTakeIds(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let old = try create(store, products: ["p1", "p2"])
        let new = try create(store, products: ["p1"])
        expectEqual(try succeed(store, new), [new, old])
        expectEqual(try shown(store, old), ["p2"])
        expectEqual(try succeed(store, old), [old])
        expectEqual(try shown(store, old), ["p2"])
        expectEqual(try shown(store, new), ["p1"])
    }

    @Test(arguments: StoreKind.allCases)
    func reject_holder_releasesIdsBackToOlderSuccess(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let old = try create(store, products: ["p1", "p2"])
        let new = try create(store, products: ["p1"])
        try succeed(store, old)
        try succeed(store, new)
        expectEqual(try shown(store, old), ["p2"])
        expectEqual(try store.reject(videoId: new, reason: "blurry"), [new, old])
        expectEqual(try shown(store, old), ["p1", "p2"])
        expectEqual(try shown(store, new), [])
        expectEqual(try store.video(id: new)?.rejectReason, "blurry")
    }

    @Test(arguments: StoreKind.allCases)
    func delete_holder_releasesIdsBackToOlderSuccess(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let oldest = try create(store, products: ["p1"])
        let old = try create(store, products: ["p1"])
        let new = try create(store, products: ["p1"])
        try succeed(store, oldest)
        try succeed(store, old)
        try succeed(store, new)
        expectEqual(try store.delete(videoId: new), [new, old])
        expectEqual(try shown(store, old), ["p1"])
        expectEqual(try shown(store, oldest), [])
        expectEqual(try shown(store, new), [])
        expectEqual(try store.video(id: new)?.deleted, true)
    }

    @Test(arguments: StoreKind.allCases)
    func reject_nonHolder_changesOnlyItself(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let old = try create(store, products: ["p1", "p2"])
        let new = try create(store, products: ["p1"])
        try succeed(store, old)
        try succeed(store, new)
        expectEqual(try store.reject(videoId: old, reason: nil), [old])
        expectEqual(try shown(store, old), [])
        expectEqual(try shown(store, new), ["p1"])
    }

    @Test(arguments: StoreKind.allCases)
    func succeed_otherSellerWithSameIds_untouched(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let other = try create(store, seller: "s2", products: ["p1"])
        try succeed(store, other)
        let old = try create(store, seller: "s1", products: ["p1"])
        let new = try create(store, seller: "s1", products: ["p1"])
        try succeed(store, old)
        expectEqual(try succeed(store, new), [new, old])
        expectEqual(try shown(store, other), ["p1"])
        _ = try store.delete(videoId: new)
        expectEqual(try shown(store, other), ["p1"])
        expectEqual(try shown(store, old), ["p1"])
    }

    @Test(arguments: StoreKind.allCases)
    func supersede_changedVideos_getNewUpdatedAt(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let past = Date(timeIntervalSince1970: 1_600_000_000)
        let old = try create(store, products: ["p1"], now: past)
        let new = try create(store, products: ["p1"], now: past)
        try succeed(store, new)
        let updated = try unwrap(store.video(id: old)).updatedAt
        expectGreaterThan(updated, Timestamp.iso(past))
    }

    @Test(arguments: StoreKind.allCases)
    func supersede_duplicateIdInOneRequest_bothPositionsFollowRule(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let old = try create(store, products: ["p1", "p1", "p2"])
        let new = try create(store, products: ["p1"])
        try succeed(store, new)
        expectEqual(try shown(store, old), ["p2"])
        _ = try store.reject(videoId: new, reason: nil)
        expectEqual(try shown(store, old), ["p1", "p1", "p2"])
    }
}
