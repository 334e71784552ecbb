import CSQLite
import Foundation

/// The SQLite half of `store migrate`: every table of `StoreCopy.tables`, read in one snapshot
/// on a read-only connection, so the file is left exactly as it was.
extension SQLiteVideoStore {
    /// Hands every row of `StoreCopy.tables` of the file at `path` to `receive`, in batches of
    /// `StoreCopy.batchSize`, table after table, all from one read transaction. Returns each
    /// table's row count. Throws `.notFound` for a missing file, `.misuse` for a file at another
    /// schema version than this build's (the daemon upgrades it at start).
    @discardableResult
    public static func exportTables(path: String, _ receive: (StoreCopy.Batch) throws -> Void) throws -> StoreCopy.Counts {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError(.notFound, "no embedded store at \(path)") }
        let db = try Database(path: path, readOnly: true)
        try db.setBusyTimeout(milliseconds: 5000)
        let version = try db.queryFirst("PRAGMA user_version") { Int($0.int64(0)) } ?? 0
        guard version == Migrations.latestVersion else {
            throw StoreError(.misuse, "\(path) is at schema version \(version), this build's is \(Migrations.latestVersion): start the daemon of this build once to upgrade it")
        }
        return try db.transaction(.deferred) {
            try StoreCopy.tables.map { table in (table, try export(db, table, receive)) }
        }
    }

    /// One table's rows, in primary-key order (rowid order for a table without one); returns how many.
    private static func export(_ db: Database, _ table: String, _ receive: (StoreCopy.Batch) throws -> Void) throws -> Int {
        var columns: [String] = []
        var key: [(position: Int64, name: String)] = []
        try db.query("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", [.text(table)]) { row in
            columns.append(row.string(0))
            if row.int64(1) > 0 { key.append((row.int64(1), row.string(0))) }
        }
        guard !columns.isEmpty else { throw StoreError(.corrupt, "the store has no table \(table)") }
        let order = key.isEmpty ? "rowid" : key.sorted { $0.position < $1.position }.map(\.name).joined(separator: ", ")
        var rows: [[String?]] = []
        var count = 0
        // The table name comes from `StoreCopy.tables`, never from input.
        try db.query("SELECT \(columns.joined(separator: ", ")) FROM \(table) ORDER BY \(order)") { row in
            rows.append((0..<Int32(columns.count)).map { row.exportText($0) })
            if rows.count == StoreCopy.batchSize {
                try receive(StoreCopy.Batch(table: table, columns: columns, rows: rows))
                count += rows.count
                rows.removeAll(keepingCapacity: true)
            }
        }
        if !rows.isEmpty { try receive(StoreCopy.Batch(table: table, columns: columns, rows: rows)) }
        return count + rows.count
    }
}

extension Row {
    /// Column `i` as `StoreCopy.Batch` carries it: nil for NULL, a real in Swift's round-trip
    /// form (SQLite's own text of a real keeps only 15 digits), anything else as SQLite's text.
    func exportText(_ i: Int32) -> String? {
        switch sqlite3_column_type(handle, i) {
        case SQLITE_NULL: return nil
        case SQLITE_FLOAT: return "\(sqlite3_column_double(handle, i))"
        default: return optionalString(i)
        }
    }
}
