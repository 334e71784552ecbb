import Foundation

/// What `video-ingest store migrate --to URL` copies (CONTRACT section 10), as the drivers hand
/// it to each other: the tables of the store in an order that keeps every reference valid, and
/// one batch of a table's rows in a driver-neutral form. The SQLite driver exports
/// (`SQLiteVideoStore.exportTables`), the PostgreSQL driver imports (`PostgresVideoStore.importTables`);
/// `StoreMigration` joins the two. Rate counts are not copied (a minute of history); list counts
/// and supersede holders are derived again by the importing driver.
public enum StoreCopy {
    /// The copied tables, referenced ones first.
    public static let tables = [
        "videos", "video_products", "jobs", "job_stage_results", "idempotency_keys",
        "events", "deliveries", "event_removed_products", "published_objects", "object_deletions",
        "video_origins", "job_history",
    ]

    /// Rows per batch handed from the exporter to the importer.
    public static let batchSize = 1000

    /// One batch of one table's rows: its column names and each row's values as text (nil for
    /// NULL; integers and booleans in decimal, reals in Swift's round-trip form, times as stored).
    public struct Batch: Sendable {
        /// The table (one of `tables`).
        public let table: String
        /// The column names, in the order of each row's values.
        public let columns: [String]
        /// The rows.
        public let rows: [[String?]]

        /// A batch of `rows` of `table`.
        public init(table: String, columns: [String], rows: [[String?]]) {
            self.table = table
            self.columns = columns
            self.rows = rows
        }
    }

    /// Every row an export produced, by table (its rows' count, for the check after copying).
    public typealias Counts = [(table: String, rows: Int)]
}

/// `store migrate`: copies the embedded SQLite store at a path into an empty PostgreSQL database.
public enum StoreMigration {
    /// Reads the SQLite file at `sqlitePath` without changing it (read-only) and copies every
    /// table of `StoreCopy.tables` into the database of `url` in one transaction; returns the
    /// row count of each table, checked equal on both sides. Throws `.invalidState` when the
    /// database already holds data, `.misuse` for a file of another schema version.
    ///
    /// The embedded store's videos came in through its one spool (`VideoOrigin.embeddedSpool`);
    /// on the shared store that spool is known by `spoolOrigin`, so their origin rows are copied
    /// under it and the spool's daemon keeps their status files current after the move.
    public static func copySQLite(at sqlitePath: String, toPostgres url: String, passwordFile: String?,
                                  spoolOrigin: String) throws -> StoreCopy.Counts {
        let target = try PostgresVideoStore(url: url, passwordFile: passwordFile)
        return try target.importTables { receive in
            try SQLiteVideoStore.exportTables(path: sqlitePath) { batch in
                try receive(renamingEmbeddedOrigin(batch, to: spoolOrigin))
            }
        }
    }

    /// `batch` with every `video_origins.origin` of `VideoOrigin.embeddedSpool` replaced by `origin`.
    static func renamingEmbeddedOrigin(_ batch: StoreCopy.Batch, to origin: String) -> StoreCopy.Batch {
        guard batch.table == "video_origins", let column = batch.columns.firstIndex(of: "origin") else { return batch }
        let rows = batch.rows.map { row -> [String?] in
            var row = row
            if row[column] == VideoOrigin.embeddedSpool { row[column] = origin }
            return row
        }
        return StoreCopy.Batch(table: batch.table, columns: batch.columns, rows: rows)
    }
}
