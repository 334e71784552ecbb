import Foundation
import IngestStore
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

    @Test func postgresURLs_areRecognised_untilTheDriverIsWiredItIsAClearError() throws {
        let fixture = try StoreFixture(.sqlite)
        expectTrue(StoreOpener.isPostgresURL("postgresql://ingest@localhost:5432/ingest"))
        expectTrue(StoreOpener.isPostgresURL("POSTGRES://localhost/ingest"))
        expectFalse(StoreOpener.isPostgresURL("postgresql:/ingest"))
        expectFalse(StoreOpener.isPostgresURL("http://localhost/ingest"))
        expectThrows(try StoreOpener.open(url: "postgresql://u:hunter2@localhost/db", sqlitePath: fixture.sqlitePath, passwordFile: nil)) { error in
            expectTrue("\(error)".contains("postgresql://u:***@localhost/db"), "\(error)")
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
