import Foundation
import Testing
@testable import IngestStore

/// The drivers the conformance suite runs every case against. A new driver is one more case here
/// and one more branch in `StoreFixture.openStore()`; nothing else changes.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite

    var testDescription: String { rawValue }

    /// Whether `holdFleetLock` is exclusive between instances (false for SQLite: documented as
    /// always true, since the spool's `daemon.lock` already makes one daemon the only one).
    var fleetLocksAreExclusive: Bool {
        switch self {
        case .sqlite: return false
        }
    }

    /// Whether `makeJobWakeup` returns a wakeup (SQLite: nil, documented).
    var hasJobWakeup: Bool {
        switch self {
        case .sqlite: return false
        }
    }
}

/// One test's store: a fresh, empty store of one driver (a temporary folder for SQLite), removed
/// when the fixture goes away. `openStore()` opens another connection to that same store, as
/// another process (the CLI, a second daemon) would.
final class StoreFixture {
    let kind: StoreKind
    let directory: URL

    /// The SQLite file (SQLite-only tests).
    var sqlitePath: String { directory.appendingPathComponent("store.sqlite").path }

    init(_ kind: StoreKind) throws {
        self.kind = kind
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ingest-store-\(kind.rawValue)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A connection to this test's store, through the driver-neutral protocol only.
    func openStore() throws -> any VideoStore {
        switch kind {
        case .sqlite: return try SQLiteVideoStore(path: sqlitePath)
        }
    }

    /// The SQLite driver itself, for the SQLite-only tests (migrations, WAL, damaged files).
    func openSQLite() throws -> SQLiteVideoStore {
        precondition(kind == .sqlite, "openSQLite() on a \(kind) fixture")
        return try SQLiteVideoStore(path: sqlitePath)
    }
}
