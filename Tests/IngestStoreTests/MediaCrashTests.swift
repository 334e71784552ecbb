import Foundation
import XCTest
@testable import IngestStore

final class MediaCrashTests: StoreTestCase {
    func testRecordMediaCrash_countsPerJob_andSurvivesReopen() throws {
        var jobId: Int64 = 0
        var otherJobId: Int64 = 0
        do {
            let store = try openStore()
            let id = try create(store)
            let other = try create(store)
            jobId = try XCTUnwrap(store.job(videoId: id)).id
            otherJobId = try XCTUnwrap(store.job(videoId: other)).id
            XCTAssertEqual(try store.mediaCrashes(jobId: jobId), 0)
            XCTAssertEqual(try store.recordMediaCrash(jobId: jobId), 1)
        }
        let reopened = try openStore()
        XCTAssertEqual(try reopened.mediaCrashes(jobId: jobId), 1, "the count is durable")
        XCTAssertEqual(try reopened.recordMediaCrash(jobId: jobId), 2)
        XCTAssertEqual(try reopened.mediaCrashes(jobId: otherJobId), 0, "other jobs are untouched")
    }

    func testRecordMediaCrash_unknownJob_throwsNotFound() throws {
        let store = try openStore()
        assertStoreError(.notFound) { _ = try store.recordMediaCrash(jobId: 999) }
    }

    func testMigration3_upgradesAVersion2File() throws {
        do {
            let store = try openStore()
            _ = try create(store)
            // Make the file look like one written by a version-2 build.
            try store.withConnection { db in
                try db.exec("ALTER TABLE jobs DROP COLUMN media_crashes")
                try db.exec("DROP TABLE published_objects; DROP TABLE object_deletions")  // what later migrations add
                try db.exec("PRAGMA user_version = 2")
            }
        }
        let store = try openStore()
        XCTAssertEqual(try store.userVersion(), VideoStore.schemaVersion)
        let job = try XCTUnwrap(store.claimJob(owner: "w", leaseSeconds: 30))
        XCTAssertEqual(try store.mediaCrashes(jobId: job.id), 0)
        XCTAssertEqual(try store.recordMediaCrash(jobId: job.id), 1)
    }
}
