// A mirror of Tests/IngestStoreTests/SupersedeTests.swift run against PostgresVideoStore (made mechanically:
// StoreTestCase -> PGStoreTestCase, VideoStore -> PostgresVideoStore; SQLite file-upgrade cases left out).
// It goes away when the shared conformance suite runs these cases against both drivers.
import Foundation
import XCTest
@testable import IngestStore

final class PGSupersedeTests: PGStoreTestCase {
    func testSucceed_newerVideo_takesIdsFromOlderSuccess() throws {
        let store = try openStore()
        let old = try create(store, products: ["p1", "p2"])
        let new = try create(store, products: ["p2", "p3"])
        XCTAssertEqual(try succeed(store, old), [old])
        XCTAssertEqual(try succeed(store, new), [new, old])
        XCTAssertEqual(try shown(store, old), ["p1"])
        XCTAssertEqual(try shown(store, new), ["p2", "p3"])
        XCTAssertEqual(try store.video(id: old)?.requestedProductContentIds, ["p1", "p2"])
    }

    func testSucceed_newerVideo_removesIdsFromOlderInProgressAndFailed() throws {
        let store = try openStore()
        let inProgress = try create(store, products: ["p1"])
        let failed = try create(store, products: ["p1", "p9"])
        let new = try create(store, products: ["p1"])
        _ = try store.failVideo(try lease(store, failed), videoId: failed, errorCode: "x", errorMessage: nil)
        XCTAssertEqual(try succeed(store, new), [new, failed, inProgress])
        XCTAssertEqual(try shown(store, inProgress), [])
        XCTAssertEqual(try shown(store, failed), ["p9"])
        XCTAssertEqual(try shown(store, new), ["p1"])
    }

    func testSucceed_olderFinishingLater_doesNotTakeIds() throws {
        let store = try openStore()
        let old = try create(store, products: ["p1", "p2"])
        let new = try create(store, products: ["p1"])
        XCTAssertEqual(try succeed(store, new), [new, old])
        XCTAssertEqual(try shown(store, old), ["p2"])
        XCTAssertEqual(try succeed(store, old), [old])
        XCTAssertEqual(try shown(store, old), ["p2"])
        XCTAssertEqual(try shown(store, new), ["p1"])
    }

    func testReject_holder_releasesIdsBackToOlderSuccess() throws {
        let store = try openStore()
        let old = try create(store, products: ["p1", "p2"])
        let new = try create(store, products: ["p1"])
        try succeed(store, old)
        try succeed(store, new)
        XCTAssertEqual(try shown(store, old), ["p2"])
        XCTAssertEqual(try store.reject(videoId: new, reason: "blurry"), [new, old])
        XCTAssertEqual(try shown(store, old), ["p1", "p2"])
        XCTAssertEqual(try shown(store, new), [])
        XCTAssertEqual(try store.video(id: new)?.rejectReason, "blurry")
    }

    func testDelete_holder_releasesIdsBackToOlderSuccess() throws {
        let store = try openStore()
        let oldest = try create(store, products: ["p1"])
        let old = try create(store, products: ["p1"])
        let new = try create(store, products: ["p1"])
        try succeed(store, oldest)
        try succeed(store, old)
        try succeed(store, new)
        XCTAssertEqual(try store.delete(videoId: new), [new, old])
        XCTAssertEqual(try shown(store, old), ["p1"])
        XCTAssertEqual(try shown(store, oldest), [])
        XCTAssertEqual(try shown(store, new), [])
        XCTAssertEqual(try store.video(id: new)?.deleted, true)
    }

    func testReject_nonHolder_changesOnlyItself() throws {
        let store = try openStore()
        let old = try create(store, products: ["p1", "p2"])
        let new = try create(store, products: ["p1"])
        try succeed(store, old)
        try succeed(store, new)
        XCTAssertEqual(try store.reject(videoId: old, reason: nil), [old])
        XCTAssertEqual(try shown(store, old), [])
        XCTAssertEqual(try shown(store, new), ["p1"])
    }

    func testSucceed_otherSellerWithSameIds_untouched() throws {
        let store = try openStore()
        let other = try create(store, seller: "s2", products: ["p1"])
        try succeed(store, other)
        let old = try create(store, seller: "s1", products: ["p1"])
        let new = try create(store, seller: "s1", products: ["p1"])
        try succeed(store, old)
        XCTAssertEqual(try succeed(store, new), [new, old])
        XCTAssertEqual(try shown(store, other), ["p1"])
        _ = try store.delete(videoId: new)
        XCTAssertEqual(try shown(store, other), ["p1"])
        XCTAssertEqual(try shown(store, old), ["p1"])
    }

    func testSupersede_changedVideos_getNewUpdatedAt() throws {
        let store = try openStore()
        let past = Date(timeIntervalSince1970: 1_600_000_000)
        let old = try create(store, products: ["p1"], now: past)
        let new = try create(store, products: ["p1"], now: past)
        try succeed(store, new)
        let updated = try XCTUnwrap(store.video(id: old)).updatedAt
        XCTAssertGreaterThan(updated, Timestamp.iso(past))
    }

    func testSupersede_duplicateIdInOneRequest_bothPositionsFollowRule() throws {
        let store = try openStore()
        let old = try create(store, products: ["p1", "p1", "p2"])
        let new = try create(store, products: ["p1"])
        try succeed(store, new)
        XCTAssertEqual(try shown(store, old), ["p2"])
        _ = try store.reject(videoId: new, reason: nil)
        XCTAssertEqual(try shown(store, old), ["p1", "p1", "p2"])
    }
}
