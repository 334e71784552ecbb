import Foundation
@testable import IngestStore
import Testing

/// SQLite-only: files written by an older build are upgraded in place by the migrations.
@Suite struct SQLiteUpgradeTests {
    @Test func migration3_upgradesAVersion2File() throws {
        let fixture = try StoreFixture(.sqlite)
        do {
            let store = try fixture.openSQLite()
            _ = try create(store)
            // Make the file look like one written by a version-2 build.
            try store.withConnection { db in try SQLiteDowngrade.downgrade(db, to: 2) }
        }
        let store = try fixture.openSQLite()
        expectEqual(try store.userVersion(), SQLiteVideoStore.schemaVersion)
        let job = try unwrap(store.claimJob(owner: "w", leaseSeconds: 30))
        expectEqual(try store.mediaCrashes(jobId: job.id), 0)
        expectEqual(try store.recordMediaCrash(try unwrap(job.lease)), 1)
    }

    @Test func outboxMigration_upgradesAFileWrittenBeforeIt() throws {
        let fixture = try StoreFixture(.sqlite)
        var id = ""
        do {
            let store = try fixture.openSQLite()
            id = try create(store)
            try store.withConnection { db in try SQLiteDowngrade.downgrade(db, to: 4) }
        }
        let store = try fixture.openSQLite()
        try store.setOutbox({ OutboxTests.routing })
        expectEqual(try store.userVersion(), SQLiteVideoStore.schemaVersion)
        try succeed(store, id)
        expectEqual(try store.deliveries(failedOnly: false).map(\.eventType), ["video.succeeded"])
    }
}

/// SQLite-only: migration 10 moves the status-file versions of a version-9 file to the spool's
/// own origin, so an upgraded spool neither rewrites every status file nor forgets a stale one.
@Suite struct SQLiteFleetUpgradeTests {
    @Test func migration10_keepsEachStatusFileVersion_underTheEmbeddedSpoolsOrigin() throws {
        let fixture = try StoreFixture(.sqlite)
        var written = ""
        var stale = ""
        do {
            let store = try fixture.openSQLite()
            written = try create(store)
            stale = try create(store)
            let version = try unwrap(try store.statusDocument(id: written, origin: VideoOrigin.embeddedSpool)).version
            try store.markStatusWritten(videoId: written, origin: VideoOrigin.embeddedSpool, version: version)
            try store.withConnection { db in try SQLiteDowngrade.downgrade(db, to: 9) }
        }
        let store = try fixture.openSQLite()
        expectEqual(try store.userVersion(), SQLiteVideoStore.schemaVersion)
        expectEqual(try store.staleStatusVideoIds(origin: VideoOrigin.embeddedSpool), [stale])
        expectEqual(try store.origins(videoId: written), [VideoOrigin.embeddedSpool])
        try succeed(store, written)
        expectEqual(try store.staleStatusVideoIds(origin: VideoOrigin.embeddedSpool), [written, stale])
        let job = try unwrap(try store.job(videoId: written))
        expectEqual(try store.jobHistory(jobId: job.id).map(\.event), [.claimed], "history starts with the first claim after the upgrade")
    }
}
