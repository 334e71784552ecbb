import Foundation
import Testing
@testable import IngestStore

@Suite struct OpenAndMigrationTests {
    @Test func init_newFile_appliesMigrationsAndSetsUserVersion() throws {
        let fixture = try StoreFixture(.sqlite)
        let store = try fixture.openSQLite()
        expectEqual(try store.userVersion(), SQLiteVideoStore.schemaVersion)
        expectEqual(SQLiteVideoStore.schemaVersion, 10)
        expectTrue(FileManager.default.fileExists(atPath: fixture.sqlitePath))
    }

    @Test func init_reopen_keepsDataAndVersion() throws {
        let fixture = try StoreFixture(.sqlite)
        var id = ""
        do {
            let store = try fixture.openSQLite()
            id = try create(store)
        }
        let reopened = try fixture.openSQLite()
        expectEqual(try reopened.userVersion(), SQLiteVideoStore.schemaVersion)
        expectEqual(try reopened.video(id: id)?.status, .inProgress)
    }

    @Test func init_journalMode_isWAL() throws {
        let fixture = try StoreFixture(.sqlite)
        let store = try fixture.openSQLite()
        expectEqual(try store.journalMode(), "wal")
    }

    @Test func init_garbageFile_throwsCorrupt() throws {
        let fixture = try StoreFixture(.sqlite)
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: fixture.sqlitePath))
        expectThrows(try fixture.openSQLite()) { error in
            guard let error = error as? StoreError else { return fail("not a StoreError: \(error)") }
            expectEqual(error.code, .corrupt, "\(error)")
            expectNotEqual(error.sqliteCode, 0)
            expectFalse(error.isWorkerFault)
        }
    }

    @Test func init_unopenablePath_throwsIO() throws {
        let fixture = try StoreFixture(.sqlite)
        let path = fixture.directory.appendingPathComponent("missing-dir/store.sqlite").path
        expectThrows(try SQLiteVideoStore(path: path)) { error in
            expectEqual((error as? StoreError)?.code, .io, "\(error)")
            expectEqual((error as? StoreError)?.isWorkerFault, true)
        }
    }

    @Test func init_newerSchemaVersion_throwsMisuse() throws {
        let fixture = try StoreFixture(.sqlite)
        do {
            let store = try fixture.openSQLite()
            try store.withConnection { try $0.exec("PRAGMA user_version = 99") }
        }
        assertStoreError(.misuse) { _ = try fixture.openSQLite() }
    }

    @Test func storeError_mapsFullAndIOErrors() throws {
        expectEqual(StoreError.code(forSQLite: 13), .full)          // SQLITE_FULL
        expectEqual(StoreError.code(forSQLite: 10 | (4 << 8)), .io) // SQLITE_IOERR_SHORT_READ
        expectEqual(StoreError.code(forSQLite: 5), .busy)
        expectEqual(StoreError.code(forSQLite: 26), .corrupt)       // SQLITE_NOTADB
        expectEqual(StoreError.code(forSQLite: 19 | (8 << 8)), .constraint)
        expectTrue(StoreError(.full, "disk").isWorkerFault)
    }

    @Test func timestamp_isoFormat() throws {
        expectEqual(Timestamp.iso(millis: 0), "1970-01-01T00:00:00.000Z")
        expectEqual(Timestamp.iso(millis: 1_709_210_096_789), "2024-02-29T12:34:56.789Z")
        expectEqual(Timestamp.iso(millis: -1), "1969-12-31T23:59:59.999Z")
    }

    /// Migration 6 rebuilds `jobs` (new states, lease generation and beats) and keeps every job;
    /// a version-3 file goes through migrations 4 and 5 on the way.
    @Test func migration6_upgradesAVersion3File_keepingJobs_andForgettingTheOldStageBlob() throws {
        let fixture = try StoreFixture(.sqlite)
        do {
            let db = try Database(path: fixture.sqlitePath)
            for sql in Migrations.all.prefix(3) { try db.exec(sql) }
            try db.exec("PRAGMA user_version = 3")
            try db.exec("""
                INSERT INTO videos (id, seller_id, title, video_url, video_content_type, store_front_code, status, created_at, updated_at)
                VALUES ('v1', 's', 'A title', 'https://x/v.mp4', 'PRODUCT_PROMOTION', 'TR', 'IN_PROGRESS', 't', 't');
                INSERT INTO jobs (id, video_id, state, stage, attempt, fault_attempts, run_at, lease_owner, lease_expires_at, stage_data, media_crashes)
                VALUES (7, 'v1', 'running', 'checked', 2, 1, 0, 'daemon-old', 99, '{"format":"mp4"}', 1);
                """)
        }
        let store = try fixture.openSQLite()
        expectEqual(try store.userVersion(), SQLiteVideoStore.schemaVersion)
        expectEqual(try store.list(ListQuery()).total, 1, "migration 4 counted the video")
        let job = try unwrap(store.job(videoId: "v1"))
        expectEqual(job.id, 7)
        expectEqual(job.state, "running")
        expectEqual(job.attempt, 2)
        expectEqual(job.faultAttempts, 1)
        expectNil(job.stage, "the old blob held only the last stage: the job starts again from the download")
        expectEqual(try store.mediaCrashes(jobId: 7), 1)
        expectEqual(try store.requeueAllRunning(), 1)
        let claimed = try unwrap(store.claimJob(owner: "new", leaseSeconds: 30))
        expectEqual(claimed.lease?.generation, 1)
    }
}
