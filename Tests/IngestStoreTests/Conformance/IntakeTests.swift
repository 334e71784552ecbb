import Foundation
import Testing
@testable import IngestStore

@Suite struct IntakeTests {
    @Test(arguments: StoreKind.allCases)
    func createVideo_new_storesVideoProductsJobAndKey(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let now = Date(timeIntervalSince1970: 1_700_000_000.123)
        let outcome = try store.createVideo(newVideo(products: ["a", "b"]), idempotencyKey: "k1", bodyDigest: "d1", now: now)
        guard case .created(let id) = outcome else { return fail("\(outcome)") }
        expectEqual(id, id.lowercased())
        expectNotNil(UUID(uuidString: id))
        let video = try unwrap(store.video(id: id))
        expectEqual(video.status, .inProgress)
        expectEqual(video.approval, .pending)
        expectEqual(video.productContentIds, ["a", "b"])
        expectEqual(video.requestedProductContentIds, ["a", "b"])
        expectEqual(video.description, "desc")
        expectEqual(video.createdAt, "2023-11-14T22:13:20.123Z")
        expectEqual(video.updatedAt, video.createdAt)
        expectFalse(video.isApproved)
        let job = try unwrap(store.job(videoId: id))
        expectEqual(job.state, "available")
        expectEqual(job.attempt, 0)
        expectEqual(job.runAt, 1_700_000_000_123)
        expectNil(job.stage)
        let key = try unwrap(store.lookupKey(sellerId: "seller-1", key: "k1"))
        expectEqual(key.videoId, id)
        expectEqual(key.bodyDigest, "d1")
        expectNil(try store.lookupKey(sellerId: "seller-2", key: "k1"))
    }

    @Test(arguments: StoreKind.allCases)
    func createVideo_sameKeySameDigest_returnsExistingWithoutSecondVideo(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let first = try store.createVideo(newVideo(), idempotencyKey: "k1", bodyDigest: "d1")
        let second = try store.createVideo(newVideo(), idempotencyKey: "k1", bodyDigest: "d1")
        guard case .created(let id) = first else { return fail("\(first)") }
        expectEqual(second, .existing(videoId: id))
        expectEqual(try store.allVideoIds(), [id])
    }

    @Test(arguments: StoreKind.allCases)
    func createVideo_sameKeyOtherDigest_returnsKeyReused(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let first = try store.createVideo(newVideo(), idempotencyKey: "k1", bodyDigest: "d1")
        let second = try store.createVideo(newVideo(), idempotencyKey: "k1", bodyDigest: "d2")
        guard case .created(let id) = first else { return fail("\(first)") }
        expectEqual(second, .keyReused(existingVideoId: id))
        expectEqual(try store.allVideoIds(), [id])
    }

    @Test(arguments: StoreKind.allCases)
    func createVideo_sameKeyOtherSeller_createsNewVideo(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let a = try store.createVideo(newVideo(seller: "s1"), idempotencyKey: "k1", bodyDigest: "d1")
        let b = try store.createVideo(newVideo(seller: "s2"), idempotencyKey: "k1", bodyDigest: "d1")
        guard case .created(let idA) = a, case .created(let idB) = b else { return fail("\(a) \(b)") }
        expectNotEqual(idA, idB)
        expectEqual(try store.allVideoIds(), [idA, idB])
    }

    @Test(arguments: StoreKind.allCases)
    func createVideo_seqIncreasesInCreationOrder(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let ids = try (0..<5).map { _ in try create(store) }
        let seqs = try ids.map { try unwrap(store.video(id: $0)).seq }
        expectEqual(seqs, seqs.sorted())
        expectEqual(Set(seqs).count, 5)
    }

    @Test(arguments: StoreKind.allCases)
    func countCreates_countsOnlyThatSellerSinceTime(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        _ = try create(store, seller: "s1", now: t0)
        _ = try create(store, seller: "s1", now: t0.addingTimeInterval(30))
        _ = try create(store, seller: "s1", now: t0.addingTimeInterval(61))
        _ = try create(store, seller: "s2", now: t0.addingTimeInterval(61))
        expectEqual(try store.countCreates(sellerId: "s1", since: t0), 3)
        expectEqual(try store.countCreates(sellerId: "s1", since: t0.addingTimeInterval(30)), 2)
        expectEqual(try store.countCreates(sellerId: "s1", since: t0.addingTimeInterval(62)), 0)
        expectEqual(try store.countCreates(sellerId: "s2", since: t0), 1)
        expectEqual(try store.countCreates(sellerId: "nobody", since: t0), 0)
    }

    @Test(arguments: StoreKind.allCases)
    func pruneKeys_removesOnlyOlderKeys_andKeyCanThenBeReused(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        _ = try create(store, key: "old", now: t0)
        _ = try create(store, key: "new", now: t0.addingTimeInterval(25 * 3600))
        expectEqual(try store.pruneKeys(olderThan: t0.addingTimeInterval(3600)), 1)
        expectNil(try store.lookupKey(sellerId: "seller-1", key: "old"))
        expectNotNil(try store.lookupKey(sellerId: "seller-1", key: "new"))
        expectEqual(try store.pruneKeys(olderThan: t0.addingTimeInterval(3600)), 0)
        let again = try store.createVideo(newVideo(), idempotencyKey: "old", bodyDigest: "other")
        guard case .created = again else { return fail("\(again)") }
        expectEqual(try store.allVideoIds().count, 3)
    }
}
