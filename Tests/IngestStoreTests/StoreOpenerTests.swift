import Foundation
@testable import IngestStore
import Testing

/// `StoreOpener` picks the driver from `store.url`, and store URLs never show a password.
@Suite struct StoreOpenerTests {
    @Test func nilURL_opensTheSQLiteFile() throws {
        let fixture = try StoreFixture(.sqlite)
        let store = try StoreOpener.open(url: nil, sqlitePath: fixture.sqlitePath, passwordFile: nil)
        expectTrue(store is SQLiteVideoStore)
        expectEqual(store.describesLocation, fixture.sqlitePath)
        expectEqual(store.schemaVersion, SQLiteVideoStore.schemaVersion)
        expectTrue(FileManager.default.fileExists(atPath: fixture.sqlitePath))
    }

    @Test func otherSchemes_areRefused_withoutThePassword() throws {
        let fixture = try StoreFixture(.sqlite)
        for url in ["mysql://u:hunter2@localhost/db", "postgresql:/no-slashes", "not a url"] {
            expectThrows(try StoreOpener.open(url: url, sqlitePath: fixture.sqlitePath, passwordFile: nil)) { error in
                expectEqual((error as? StoreError)?.code, .misuse, "\(error)")
                expectFalse("\(error)".contains("hunter2"), "\(error)")
            }
        }
        expectFalse(FileManager.default.fileExists(atPath: fixture.sqlitePath), "no SQLite file for a store.url")
    }

    @Test func postgresURLs_areRecognised() {
        expectTrue(StoreOpener.isPostgresURL("postgresql://ingest@localhost:5432/ingest"))
        expectTrue(StoreOpener.isPostgresURL("POSTGRES://localhost/ingest"))
        expectFalse(StoreOpener.isPostgresURL("postgresql:/ingest"))
        expectFalse(StoreOpener.isPostgresURL("http://localhost/ingest"))
    }

    @Test func postgresURL_opensThePostgreSQLDriver_andNoSQLiteFile() throws {
        let fixture = try StoreFixture(.postgres)
        let url = try #require(fixture.postgresURL)
        for scheme in ["postgresql", "postgres"] {
            let sameURL = scheme + url.drop(while: { $0 != ":" })
            let store = try StoreOpener.open(url: sameURL, sqlitePath: fixture.sqlitePath, passwordFile: nil)
            expectTrue(store is PostgresVideoStore)
            expectEqual(store.schemaVersion, SQLiteVideoStore.schemaVersion, "both drivers at one schema version")
            expectTrue(store.describesLocation.hasPrefix("postgresql://postgres@"), store.describesLocation)
            try store.ping()
        }
        expectFalse(FileManager.default.fileExists(atPath: fixture.sqlitePath), "no SQLite file for a store.url")
    }

    @Test func unreachablePostgres_isUnavailable_withoutThePassword() throws {
        let fixture = try StoreFixture(.sqlite)
        // A port nothing listens on (the shared server's port + 1 is free at worst briefly; 1 is never served).
        expectThrows(try StoreOpener.open(url: "postgresql://u:hunter2@127.0.0.1:1/db", sqlitePath: fixture.sqlitePath, passwordFile: nil)) { error in
            expectEqual((error as? StoreError)?.code, .unavailable, "\(error)")
            expectFalse("\(error)".contains("hunter2"), "\(error)")
        }
    }

    @Test func redacted_hidesUserPasswordAndPasswordParameter() {
        expectEqual(StoreURL.redacted("postgresql://ingest:s3cret@localhost:5432/ingest"), "postgresql://ingest:***@localhost:5432/ingest")
        expectEqual(StoreURL.redacted("postgresql://localhost/ingest?sslmode=disable&password=s3cret"),
                    "postgresql://localhost/ingest?sslmode=disable&password=***")
        expectEqual(StoreURL.redacted("postgresql://ingest@localhost/ingest"), "postgresql://ingest@localhost/ingest")
    }
}
