import Foundation

/// The PostgreSQL half of `store migrate`: the rows of another store's `StoreCopy.tables`,
/// inserted in one transaction into an empty database, then checked by count.
extension PostgresVideoStore {
    /// Identity columns whose sequence must continue after the copied ids.
    private static let identityColumns = [("videos", "seq"), ("jobs", "id"), ("events", "seq"), ("deliveries", "seq"),
                                          ("object_deletions", "id"), ("job_history", "seq")]

    /// Runs `export`, which hands every batch of the source store to its argument, and inserts
    /// each batch, all in one transaction: refused (`.invalidState`, nothing written) when any
    /// table already holds a row; afterwards the sequences continue after the copied ids, the
    /// supersede holders are derived from the copied videos (list counts follow from the
    /// inserts), and each table's count must equal what `export` handed over, else nothing is
    /// kept (`.corrupt`). Returns each table's count.
    public func importTables(_ export: (_ receive: (StoreCopy.Batch) throws -> Void) throws -> StoreCopy.Counts) throws -> StoreCopy.Counts {
        try write { tx in
            // Nobody else writes while the copy runs (a daemon starting on this database waits).
            try tx.execute("LOCK TABLE \((StoreCopy.tables + ["product_holders"]).joined(separator: ", ")) IN EXCLUSIVE MODE")
            for table in StoreCopy.tables + ["product_holders"] {
                if try tx.execute("SELECT EXISTS (SELECT 1 FROM \(table))").bool(0, 0) {
                    throw StoreError(.invalidState, "the database \(describesLocation) is not empty (table \(table) has rows): store migrate copies only into an empty database")
                }
            }
            var knownColumns: [String: Set<String>] = [:]
            var inserted: [String: Int] = [:]
            let exported = try export { batch in
                guard StoreCopy.tables.contains(batch.table) else { throw StoreError(.misuse, "store migrate does not copy table \(batch.table)") }
                if knownColumns[batch.table] == nil {
                    let rows = try tx.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
                                              [.text(batch.table)])
                    knownColumns[batch.table] = Set((0..<rows.rowCount).map { rows.string($0, 0) })
                }
                let missing = batch.columns.filter { !(knownColumns[batch.table]!.contains($0)) }
                guard missing.isEmpty else {
                    throw StoreError(.misuse, "table \(batch.table) has no column \(missing.joined(separator: ", ")) in PostgreSQL")
                }
                try Self.insert(tx, batch)
                inserted[batch.table, default: 0] += batch.rows.count
            }
            for (table, column) in Self.identityColumns {
                try tx.execute("SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(\(column)), 0) + 1, false) FROM \(table)",
                               [.text(table), .text(column)])
            }
            try tx.execute(
                """
                INSERT INTO product_holders (seller_id, product_content_id, video_id)
                SELECT DISTINCT ON (p.seller_id, p.product_content_id) p.seller_id, p.product_content_id, p.video_id
                FROM video_products p JOIN videos v ON v.id = p.video_id
                WHERE v.status = 'SUCCESS' AND v.approval != 'REJECTED' AND NOT v.deleted
                ORDER BY p.seller_id, p.product_content_id, v.seq DESC
                """)
            var counts: StoreCopy.Counts = []
            for (table, expected) in exported {
                let found = Int(try tx.execute("SELECT COUNT(*) FROM \(table)").int64(0, 0))
                guard found == expected, inserted[table, default: 0] == expected else {
                    throw StoreError(.corrupt, "table \(table): the source has \(expected) rows, PostgreSQL \(found) after copying; nothing was kept")
                }
                counts.append((table, found))
            }
            return counts
        }
    }

    /// Inserts one batch as multi-row INSERTs of at most 30,000 parameters each (PostgreSQL
    /// allows 65,535 per statement), with the source's ids (`OVERRIDING SYSTEM VALUE`).
    private static func insert(_ tx: PGTransaction, _ batch: StoreCopy.Batch) throws {
        let width = batch.columns.count
        let perStatement = max(1, 30_000 / width)
        var start = 0
        while start < batch.rows.count {
            let rows = batch.rows[start..<min(batch.rows.count, start + perStatement)]
            let tuples = rows.indices.map { index in
                let first = (index - start) * width
                return "(" + (1...width).map { "$\(first + $0)" }.joined(separator: ", ") + ")"
            }
            try tx.run(
                "INSERT INTO \(batch.table) (\(batch.columns.joined(separator: ", "))) OVERRIDING SYSTEM VALUE VALUES \(tuples.joined(separator: ", "))",
                rows.flatMap { $0.map { SQLValue.text($0) } })
            start += perStatement
        }
    }
}
