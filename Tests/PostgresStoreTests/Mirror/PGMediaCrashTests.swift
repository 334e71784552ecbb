// A mirror of Tests/IngestStoreTests/MediaCrashTests.swift run against PostgresVideoStore (made mechanically:
// StoreTestCase -> PGStoreTestCase, VideoStore -> PostgresVideoStore; SQLite file-upgrade cases left out).
// It goes away when the shared conformance suite runs these cases against both drivers.
import Foundation
import XCTest
@testable import IngestStore

final class PGMediaCrashTests: PGStoreTestCase {
    func testRecordMediaCrash_countsPerJob_andSurvivesReopen() throws {
        var jobId: Int64 = 0
        var otherJobId: Int64 = 0
        var idOfJob = ""
        do {
            let store = try openStore()
            let id = try create(store)
            let other = try create(store)
            jobId = try XCTUnwrap(store.job(videoId: id)).id
            otherJobId = try XCTUnwrap(store.job(videoId: other)).id
            XCTAssertEqual(try store.mediaCrashes(jobId: jobId), 0)
            XCTAssertEqual(try store.recordMediaCrash(try lease(store, id)), 1)
            idOfJob = id
        }
        let reopened = try openStore()
        XCTAssertEqual(try reopened.mediaCrashes(jobId: jobId), 1, "the count is durable")
        XCTAssertEqual(try reopened.recordMediaCrash(try lease(reopened, idOfJob)), 2)
        XCTAssertEqual(try reopened.mediaCrashes(jobId: otherJobId), 0, "other jobs are untouched")
    }

    func testRecordMediaCrash_unknownJob_throwsNotFound_staleLeaseThrowsLeaseLost() throws {
        let store = try openStore()
        assertStoreError(.notFound) { _ = try store.recordMediaCrash(LeaseToken(jobId: 999, owner: "w", generation: 1)) }
        let id = try create(store)
        let token = try lease(store, id)
        XCTAssertEqual(try store.requeueAllRunning(), 1)
        assertStoreError(.leaseLost) { _ = try store.recordMediaCrash(token) }
        XCTAssertEqual(try store.mediaCrashes(jobId: token.jobId), 0)
    }

}
