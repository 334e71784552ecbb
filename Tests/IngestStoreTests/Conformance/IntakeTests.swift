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

    /// A group commit: one call, one outcome per request in order; a later request sees the
    /// earlier ones of its own batch (the same key again is `.existing`, or `.keyReused` with
    /// another body, which stores nothing); keys of other batches answer as before.
    @Test(arguments: StoreKind.allCases)
    func createVideos_batch_oneOutcomePerRequestInOrder_laterRequestsSeeEarlierOnes(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let now = Date(timeIntervalSince1970: 1_700_000_100)
        let earlier = try store.createVideo(newVideo(), idempotencyKey: "old", bodyDigest: "d0", now: now.addingTimeInterval(-60))
        guard case .created(let oldId) = earlier else { return fail("\(earlier)") }
        let outcomes = try store.createVideos([
            CreateRequest(video: newVideo(products: ["a"]), idempotencyKey: "k1", bodyDigest: "d1"),
            CreateRequest(video: newVideo(products: ["b"]), idempotencyKey: "k2", bodyDigest: "d2"),
            CreateRequest(video: newVideo(products: ["a"]), idempotencyKey: "k1", bodyDigest: "d1"),
            CreateRequest(video: newVideo(), idempotencyKey: "k2", bodyDigest: "other"),
            CreateRequest(video: newVideo(), idempotencyKey: "old", bodyDigest: "d0"),
            CreateRequest(video: newVideo(seller: "seller-2"), idempotencyKey: "k1", bodyDigest: "d1"),
        ], now: now)
        expectEqual(outcomes.count, 6)
        guard case .created(let id1) = outcomes[0], case .created(let id2) = outcomes[1],
              case .created(let otherSeller) = outcomes[5] else { return fail("\(outcomes)") }
        expectEqual(outcomes[2], .existing(videoId: id1))
        expectEqual(outcomes[3], .keyReused(existingVideoId: id2))
        expectEqual(outcomes[4], .existing(videoId: oldId))
        expectEqual(Set(try store.allVideoIds()), [oldId, id1, id2, otherSeller])
        expectEqual(try unwrap(store.video(id: id1)).productContentIds, ["a"])
        expectEqual(try unwrap(store.video(id: id2)).productContentIds, ["b"])
        expectEqual(try unwrap(store.job(videoId: id2)).runAt, 1_700_000_100_000)
        expectGreaterThan(try unwrap(store.video(id: id2)).seq, try unwrap(store.video(id: id1)).seq)
        expectEqual(try store.countCreates(sellerId: "seller-1", since: now), 2)
        expectEqual(try store.createVideos([], now: now), [])
    }

    /// Status marks of a batch in one call: each video's own version, the other origin's video
    /// untouched, a lower version never lowers a mark.
    @Test(arguments: StoreKind.allCases)
    func markStatusWritten_batch_marksEachVideo(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let local = VideoOrigin.embeddedSpool
        let a = try create(store), b = try create(store), c = try create(store)
        let va = try unwrap(store.statusDocument(id: a, origin: local)).version
        let vb = try unwrap(store.statusDocument(id: b, origin: local)).version
        try store.markStatusWritten([StatusMark(videoId: a, version: va), StatusMark(videoId: b, version: vb)], origin: local)
        expectEqual(try store.staleStatusVideoIds(origin: local, limit: 10), [c])
        try store.markStatusWritten([StatusMark(videoId: c, version: 1)], origin: "another-spool")
        expectEqual(try store.staleStatusVideoIds(origin: local, limit: 10), [c], "a mark for another origin changes nothing here")
        try store.markStatusWritten([StatusMark(videoId: a, version: 0), StatusMark(videoId: c, version: try unwrap(store.statusDocument(id: c, origin: local)).version)], origin: local)
        expectEqual(try store.staleStatusVideoIds(origin: local, limit: 10), [])
        expectEqual(try unwrap(store.statusDocument(id: a, origin: local)).written, va, "never lowered")
        try store.markStatusWritten([], origin: local)
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
