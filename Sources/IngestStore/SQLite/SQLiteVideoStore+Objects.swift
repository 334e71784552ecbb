import Foundation

/// Each video's objects in object storage, and the outbox of objects to delete (migration 4).
extension SQLiteVideoStore {
    /// Records that `objects` of `videoId` are in their bucket (before SUCCESS is committed; a
    /// repeat is harmless). A video that was deleted or rejected meanwhile gets them queued for
    /// deletion at once.
    public func recordPublishedObjects(videoId: String, _ objects: [StoredObject], now: Date) throws {
        try writeTransaction { db in
            for object in objects {
                try db.run("INSERT OR IGNORE INTO published_objects (video_id, endpoint, bucket, object_key) VALUES (?, ?, ?, ?)",
                           [.text(videoId), .text(object.endpoint), .text(object.bucket), .text(object.key)])
            }
            if let state = try Self.videoState(db, videoId: videoId), state.deleted || state.approval == .rejected {
                try Self.queueObjectDeletions(db, videoId: videoId, now: now)
            }
        }
    }

    /// Moves every recorded object of `videoId` into the outbox, due now (inside the caller's
    /// transaction: delete and reject).
    static func queueObjectDeletions(_ db: Database, videoId: String, now: Date) throws {
        try db.run(
            """
            INSERT OR IGNORE INTO object_deletions (video_id, endpoint, bucket, object_key, next_attempt_at)
            SELECT video_id, endpoint, bucket, object_key, ? FROM published_objects WHERE video_id = ?
            """,
            [.integer(Timestamp.millis(now)), .text(videoId)]
        )
        try db.run("DELETE FROM published_objects WHERE video_id = ?", [.text(videoId)])
    }

    /// The recorded objects of `videoId` (not yet queued for deletion).
    public func publishedObjects(videoId: String) throws -> [StoredObject] {
        try withConnection { db in
            var found: [StoredObject] = []
            try db.query("SELECT endpoint, bucket, object_key FROM published_objects WHERE video_id = ? ORDER BY object_key",
                         [.text(videoId)]) { row in
                found.append(StoredObject(endpoint: row.string(0), bucket: row.string(1), key: row.string(2)))
            }
            return found
        }
    }

    /// Outbox entries due at `now`, oldest first.
    public func dueObjectDeletions(now: Date, limit: Int) throws -> [ObjectDeletion] {
        try withConnection { db in
            var due: [ObjectDeletion] = []
            try db.query(
                """
                SELECT id, video_id, endpoint, bucket, object_key, attempts FROM object_deletions
                WHERE next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
                """,
                [.integer(Timestamp.millis(now)), .integer(Int64(limit))]
            ) { row in
                due.append(ObjectDeletion(id: row.int64(0), videoId: row.string(1),
                                          object: StoredObject(endpoint: row.string(2), bucket: row.string(3), key: row.string(4)),
                                          attempts: Int(row.int64(5))))
            }
            return due
        }
    }

    /// How many objects wait in the outbox.
    public func pendingObjectDeletionCount() throws -> Int {
        try withConnection { db in Int(try db.queryFirst("SELECT COUNT(*) FROM object_deletions") { $0.int64(0) } ?? 0) }
    }

    /// The object is gone from its bucket: the entry leaves the outbox.
    public func finishObjectDeletion(id: Int64) throws {
        _ = try writeTransaction { db in try db.run("DELETE FROM object_deletions WHERE id = ?", [.integer(id)]) }
    }

    /// The deletion failed: tried again at `retryAt`, with the reason kept.
    public func postponeObjectDeletion(id: Int64, error: String, retryAt: Date) throws {
        _ = try writeTransaction { db in
            try db.run("UPDATE object_deletions SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                       [.text(error), .integer(Timestamp.millis(retryAt)), .integer(id)])
        }
    }
}
