import Foundation
import XCTest
@testable import IngestStore

/// The schema: created at open under the advisory lock, once, whoever opens first.
final class PGMigrationTests: PGStoreTestCase {
    func testFreshDatabase_migratesToTheLatestVersion_andReopeningAppliesNothing() throws {
        let store = try openStore()
        XCTAssertEqual(store.schemaVersion, PostgresVideoStore.schemaVersion)
        XCTAssertEqual(PostgresVideoStore.schemaVersion, Migrations.latestVersion, "the same schema version as the SQLite store")
        _ = try create(store)
        let again = try openStore()
        XCTAssertEqual(again.schemaVersion, PostgresVideoStore.schemaVersion)
        XCTAssertEqual(try again.read { try $0.execute("SELECT COUNT(*) FROM schema_migrations").int64(0, 0) }, Int64(PostgresMigrations.all.count),
                       "one row per version, each applied once")
        XCTAssertEqual(try again.allVideoIds().count, 1)
    }

    func testEightOpenersAtOnce_allSucceed_andTheSchemaIsMadeOnce() throws {
        let collector = Collector<Int>()
        let url: String = self.url
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do { collector.add(try PostgresVideoStore(url: url).schemaVersion) } catch { collector.fail(error) }
        }
        let result = collector.snapshot
        XCTAssertEqual(result.errors, [])
        XCTAssertEqual(result.values, Array(repeating: PostgresVideoStore.schemaVersion, count: 8))
        let store = try openStore()
        XCTAssertEqual(try store.read { try $0.execute("SELECT COUNT(*) FROM schema_migrations").int64(0, 0) }, Int64(PostgresMigrations.all.count))
    }

    func testADatabaseFromANewerBuild_isRefused() throws {
        let store = try openStore()
        _ = try store.read { try $0.execute("INSERT INTO schema_migrations (version) VALUES (99)") }
        assertStoreError(.misuse) { _ = try self.openStore() }
    }
}

/// LISTEN/NOTIFY: a job stored by one daemon wakes another's idle listener.
final class PGListenerTests: PGStoreTestCase {
    func testListener_timesOutWhenNothingHappens_andWakesOnACreate() throws {
        let store = try openStore()
        let listener = try PGListener(url: url)
        XCTAssertFalse(listener.wait(timeout: 0.3))
        let other = try openStore()
        let video = newVideo()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { _ = try? other.createVideo(video, idempotencyKey: "k", bodyDigest: "d") }
        let started = Date()
        XCTAssertTrue(listener.wait(timeout: 10))
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertNotNil(try store.claimJob(owner: "w", leaseSeconds: 30))
        XCTAssertFalse(listener.wait(timeout: 0.2), "the notification was consumed")
    }
}
