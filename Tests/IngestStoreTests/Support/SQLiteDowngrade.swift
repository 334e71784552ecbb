import Foundation
@testable import IngestStore

/// SQLite-only: takes a file back to an older schema version (upgrade tests).
enum SQLiteDowngrade {
    /// Takes a file back to schema `version` by undoing what each later migration made, newest
    /// first, so an upgrade test starts from a file as an older build wrote it. Migration 6
    /// rebuilt `jobs`; running it again on its own output copies the table as it is.
    static func downgrade(_ db: Database, to version: Int) throws {
        let undo: [Int: String] = [
            10: """
                DROP TABLE job_history; DROP TRIGGER video_origins_doc_version;
                ALTER TABLE videos ADD COLUMN status_version INTEGER NOT NULL DEFAULT 0;
                UPDATE videos SET status_version = COALESCE((SELECT status_version FROM video_origins o
                                                             WHERE o.video_id = videos.id AND o.origin = 'local'), 0);
                CREATE INDEX videos_status_stale ON videos (seq) WHERE doc_version > status_version;
                DROP TABLE video_origins
                """,
            9: "ALTER TABLE deliveries DROP COLUMN claimed_by",
            8: "DROP TABLE published_objects; DROP TABLE object_deletions",
            7: "DROP TABLE rate_counts",
            6: "DROP TABLE job_stage_results",
            5: """
                DROP TRIGGER video_products_superseded; DROP TABLE event_removed_products;
                DROP TABLE deliveries; DROP TABLE events
                """,
            4: """
                DROP TRIGGER video_list_blocks_insert; DROP TRIGGER video_list_blocks_update;
                DROP TRIGGER video_list_blocks_delete; DROP TABLE video_list_blocks
                """,
            3: "ALTER TABLE jobs DROP COLUMN media_crashes",
        ]
        precondition(undo.count == SQLiteVideoStore.schemaVersion - 2, "a new migration needs its undo here")
        for v in stride(from: SQLiteVideoStore.schemaVersion, to: version, by: -1) { try db.exec(undo[v]!) }
        try db.exec("PRAGMA user_version = \(version)")
    }
}
