import Foundation
import Testing
import TestPostgresServer
@testable import IngestStore

/// The drivers the conformance suite runs every case against. A new driver is one more case here
/// and one more branch in `StoreFixture.openStore()`; nothing else changes.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// Whether `holdFleetLock` is exclusive between instances (false for SQLite: documented as
    /// always true, since the spool's `daemon.lock` already makes one daemon the only one).
    var fleetLocksAreExclusive: Bool {
        switch self {
        case .sqlite: return false
        case .postgres: return true
        }
    }

    /// Whether `makeJobWakeup` returns a wakeup (SQLite: nil, documented).
    var hasJobWakeup: Bool {
        switch self {
        case .sqlite: return false
        case .postgres: return true
        }
    }
}

/// One test's store: a fresh, empty store of one driver (a temporary folder for SQLite, a new
/// database on the process's `SharedPostgres` server for PostgreSQL), removed when the fixture
/// goes away. `openStore()` opens another connection to that same store, as
/// another process (the CLI, a second daemon) would.
final class StoreFixture {
    let kind: StoreKind
    let directory: URL

    /// The SQLite file (SQLite-only tests).
    var sqlitePath: String { directory.appendingPathComponent("store.sqlite").path }

    /// The PostgreSQL database's URL (nil for SQLite).
    let postgresURL: String?

    init(_ kind: StoreKind) throws {
        self.kind = kind
        postgresURL = kind == .postgres ? try SharedPostgres.server().createDatabase() : nil
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ingest-store-\(kind.rawValue)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A connection to this test's store, through the driver-neutral protocol only.
    func openStore() throws -> any VideoStore {
        switch kind {
        case .sqlite: return try SQLiteVideoStore(path: sqlitePath)
        case .postgres: return try PostgresVideoStore(url: postgresURL!)
        }
    }

    /// The SQLite driver itself, for the SQLite-only tests (migrations, WAL, damaged files).
    func openSQLite() throws -> SQLiteVideoStore {
        precondition(kind == .sqlite, "openSQLite() on a \(kind) fixture")
        return try SQLiteVideoStore(path: sqlitePath)
    }
}
