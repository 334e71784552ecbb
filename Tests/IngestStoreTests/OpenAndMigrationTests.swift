import Foundation
import XCTest
@testable import IngestStore

final class OpenAndMigrationTests: StoreTestCase {
    func testInit_newFile_appliesMigrationsAndSetsUserVersion() throws {
        let store = try openStore()
        XCTAssertEqual(try store.userVersion(), VideoStore.schemaVersion)
        XCTAssertEqual(VideoStore.schemaVersion, 4)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dbPath))
    }

    func testInit_reopen_keepsDataAndVersion() throws {
        var id = ""
        do {
            let store = try openStore()
            id = try create(store)
        }
        let reopened = try openStore()
        XCTAssertEqual(try reopened.userVersion(), VideoStore.schemaVersion)
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
        XCTAssertThrowsError(try VideoStore(path: path)) { error in
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
}
