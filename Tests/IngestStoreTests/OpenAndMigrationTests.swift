import Foundation
import XCTest
@testable import IngestStore

final class OpenAndMigrationTests: StoreTestCase {
    func testInit_newFile_appliesMigrationsAndSetsUserVersion() throws {
        let store = try openStore()
        XCTAssertEqual(try store.userVersion(), SQLiteVideoStore.schemaVersion)
        XCTAssertEqual(SQLiteVideoStore.schemaVersion, 8)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dbPath))
    }

    func testInit_reopen_keepsDataAndVersion() throws {
        var id = ""
        do {
            let store = try openStore()
            id = try create(store)
        }
        let reopened = try openStore()
        XCTAssertEqual(try reopened.userVersion(), SQLiteVideoStore.schemaVersion)
        XCTAssertEqual(try reopened.video(id: id)?.status, .inProgress)
    }

    func testInit_journalMode_isWAL() throws {
        let store = try openStore()
        XCTAssertEqual(try store.journalMode(), "wal")
    }

    func testInit_garbageFile_throwsCorrupt() throws {
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: dbPath))
        XCTAssertThrowsError(try openStore()) { error in
            guard let error = error as? StoreError else { return XCTFail("not a StoreError: \(error)") }
            XCTAssertEqual(error.code, .corrupt, "\(error)")
            XCTAssertNotEqual(error.sqliteCode, 0)
            XCTAssertFalse(error.isWorkerFault)
        }
    }

    func testInit_unopenablePath_throwsIO() throws {
        let path = directory.appendingPathComponent("missing-dir/store.sqlite").path
        XCTAssertThrowsError(try SQLiteVideoStore(path: path)) { error in
            XCTAssertEqual((error as? StoreError)?.code, .io, "\(error)")
            XCTAssertEqual((error as? StoreError)?.isWorkerFault, true)
        }
    }

    func testInit_newerSchemaVersion_throwsMisuse() throws {
        do {
            let store = try openStore()
            try store.withConnection { try $0.exec("PRAGMA user_version = 99") }
        }
        assertStoreError(.misuse) { _ = try self.openStore() }
    }

    func testStoreError_mapsFullAndIOErrors() {
        XCTAssertEqual(StoreError.code(forSQLite: 13), .full)          // SQLITE_FULL
        XCTAssertEqual(StoreError.code(forSQLite: 10 | (4 << 8)), .io) // SQLITE_IOERR_SHORT_READ
        XCTAssertEqual(StoreError.code(forSQLite: 5), .busy)
        XCTAssertEqual(StoreError.code(forSQLite: 26), .corrupt)       // SQLITE_NOTADB
        XCTAssertEqual(StoreError.code(forSQLite: 19 | (8 << 8)), .constraint)
        XCTAssertTrue(StoreError(.full, "disk").isWorkerFault)
    }

    func testTimestamp_isoFormat() {
        XCTAssertEqual(Timestamp.iso(millis: 0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(Timestamp.iso(millis: 1_709_210_096_789), "2024-02-29T12:34:56.789Z")
        XCTAssertEqual(Timestamp.iso(millis: -1), "1969-12-31T23:59:59.999Z")
    }

    /// Migration 6 rebuilds `jobs` (new states, lease generation and beats) and keeps every job;
    /// a version-3 file goes through migrations 4 and 5 on the way.
    func testMigration6_upgradesAVersion3File_keepingJobs_andForgettingTheOldStageBlob() throws {
        do {
            let db = try Database(path: dbPath)
            for sql in Migrations.all.prefix(3) { try db.exec(sql) }
            try db.exec("PRAGMA user_version = 3")
            try db.exec("""
                INSERT INTO videos (id, seller_id, title, video_url, video_content_type, store_front_code, status, created_at, updated_at)
                VALUES ('v1', 's', 'A title', 'https://x/v.mp4', 'PRODUCT_PROMOTION', 'TR', 'IN_PROGRESS', 't', 't');
                INSERT INTO jobs (id, video_id, state, stage, attempt, fault_attempts, run_at, lease_owner, lease_expires_at, stage_data, media_crashes)
                VALUES (7, 'v1', 'running', 'checked', 2, 1, 0, 'daemon-old', 99, '{"format":"mp4"}', 1);
                """)
        }
        let store = try openStore()
        XCTAssertEqual(try store.userVersion(), SQLiteVideoStore.schemaVersion)
        XCTAssertEqual(try store.list(ListQuery()).total, 1, "migration 4 counted the video")
        let job = try XCTUnwrap(store.job(videoId: "v1"))
        XCTAssertEqual(job.id, 7)
        XCTAssertEqual(job.state, "running")
        XCTAssertEqual(job.attempt, 2)
        XCTAssertEqual(job.faultAttempts, 1)
        XCTAssertNil(job.stage, "the old blob held only the last stage: the job starts again from the download")
        XCTAssertEqual(try store.mediaCrashes(jobId: 7), 1)
        XCTAssertEqual(try store.requeueAllRunning(), 1)
        let claimed = try XCTUnwrap(store.claimJob(owner: "new", leaseSeconds: 30))
        XCTAssertEqual(claimed.lease?.generation, 1)
    }
}
