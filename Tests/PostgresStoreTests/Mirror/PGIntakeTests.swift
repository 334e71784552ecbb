// A mirror of Tests/IngestStoreTests/IntakeTests.swift run against PostgresVideoStore (made mechanically:
// StoreTestCase -> PGStoreTestCase, VideoStore -> PostgresVideoStore; SQLite file-upgrade cases left out).
// It goes away when the shared conformance suite runs these cases against both drivers.
import Foundation
import XCTest
@testable import IngestStore

final class PGIntakeTests: PGStoreTestCase {
    func testCreateVideo_new_storesVideoProductsJobAndKey() throws {
        let store = try openStore()
        let now = Date(timeIntervalSince1970: 1_700_000_000.123)
        let outcome = try store.createVideo(newVideo(products: ["a", "b"]), idempotencyKey: "k1", bodyDigest: "d1", now: now)
        guard case .created(let id) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(id, id.lowercased())
        XCTAssertNotNil(UUID(uuidString: id))
        let video = try XCTUnwrap(store.video(id: id))
        XCTAssertEqual(video.status, .inProgress)
        XCTAssertEqual(video.approval, .pending)
        XCTAssertEqual(video.productContentIds, ["a", "b"])
        XCTAssertEqual(video.requestedProductContentIds, ["a", "b"])
        XCTAssertEqual(video.description, "desc")
        XCTAssertEqual(video.createdAt, "2023-11-14T22:13:20.123Z")
        XCTAssertEqual(video.updatedAt, video.createdAt)
        XCTAssertFalse(video.isApproved)
        let job = try XCTUnwrap(store.job(videoId: id))
        XCTAssertEqual(job.state, "available")
        XCTAssertEqual(job.attempt, 0)
        XCTAssertEqual(job.runAt, 1_700_000_000_123)
        XCTAssertNil(job.stage)
        let key = try XCTUnwrap(store.lookupKey(sellerId: "seller-1", key: "k1"))
        XCTAssertEqual(key.videoId, id)
        XCTAssertEqual(key.bodyDigest, "d1")
        XCTAssertNil(try store.lookupKey(sellerId: "seller-2", key: "k1"))
    }

    func testCreateVideo_sameKeySameDigest_returnsExistingWithoutSecondVideo() throws {
        let store = try openStore()
        let first = try store.createVideo(newVideo(), idempotencyKey: "k1", bodyDigest: "d1")
        let second = try store.createVideo(newVideo(), idempotencyKey: "k1", bodyDigest: "d1")
        guard case .created(let id) = first else { return XCTFail("\(first)") }
        XCTAssertEqual(second, .existing(videoId: id))
        XCTAssertEqual(try store.allVideoIds(), [id])
    }

    func testCreateVideo_sameKeyOtherDigest_returnsKeyReused() throws {
        let store = try openStore()
        let first = try store.createVideo(newVideo(), idempotencyKey: "k1", bodyDigest: "d1")
        let second = try store.createVideo(newVideo(), idempotencyKey: "k1", bodyDigest: "d2")
        guard case .created(let id) = first else { return XCTFail("\(first)") }
        XCTAssertEqual(second, .keyReused(existingVideoId: id))
        XCTAssertEqual(try store.allVideoIds(), [id])
    }

    func testCreateVideo_sameKeyOtherSeller_createsNewVideo() throws {
        let store = try openStore()
        let a = try store.createVideo(newVideo(seller: "s1"), idempotencyKey: "k1", bodyDigest: "d1")
        let b = try store.createVideo(newVideo(seller: "s2"), idempotencyKey: "k1", bodyDigest: "d1")
        guard case .created(let idA) = a, case .created(let idB) = b else { return XCTFail("\(a) \(b)") }
        XCTAssertNotEqual(idA, idB)
        XCTAssertEqual(try store.allVideoIds(), [idA, idB])
    }

    func testCreateVideo_seqIncreasesInCreationOrder() throws {
        let store = try openStore()
        let ids = try (0..<5).map { _ in try create(store) }
        let seqs = try ids.map { try XCTUnwrap(store.video(id: $0)).seq }
        XCTAssertEqual(seqs, seqs.sorted())
        XCTAssertEqual(Set(seqs).count, 5)
    }

    func testCountCreates_countsOnlyThatSellerSinceTime() throws {
        let store = try openStore()
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        _ = try create(store, seller: "s1", now: t0)
        _ = try create(store, seller: "s1", now: t0.addingTimeInterval(30))
        _ = try create(store, seller: "s1", now: t0.addingTimeInterval(61))
        _ = try create(store, seller: "s2", now: t0.addingTimeInterval(61))
        XCTAssertEqual(try store.countCreates(sellerId: "s1", since: t0), 3)
        XCTAssertEqual(try store.countCreates(sellerId: "s1", since: t0.addingTimeInterval(30)), 2)
        XCTAssertEqual(try store.countCreates(sellerId: "s1", since: t0.addingTimeInterval(62)), 0)
        XCTAssertEqual(try store.countCreates(sellerId: "s2", since: t0), 1)
        XCTAssertEqual(try store.countCreates(sellerId: "nobody", since: t0), 0)
    }

    func testPruneKeys_removesOnlyOlderKeys_andKeyCanThenBeReused() throws {
        let store = try openStore()
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        _ = try create(store, key: "old", now: t0)
        _ = try create(store, key: "new", now: t0.addingTimeInterval(25 * 3600))
        XCTAssertEqual(try store.pruneKeys(olderThan: t0.addingTimeInterval(3600)), 1)
        XCTAssertNil(try store.lookupKey(sellerId: "seller-1", key: "old"))
        XCTAssertNotNil(try store.lookupKey(sellerId: "seller-1", key: "new"))
        XCTAssertEqual(try store.pruneKeys(olderThan: t0.addingTimeInterval(3600)), 0)
        let again = try store.createVideo(newVideo(), idempotencyKey: "old", bodyDigest: "other")
        guard case .created = again else { return XCTFail("\(again)") }
        XCTAssertEqual(try store.allVideoIds().count, 3)
    }
}
