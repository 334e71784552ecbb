import Foundation

/// Each video's objects in object storage, and the outbox of objects to delete, as `VideoStore`'s.
extension PostgresVideoStore {
    /// Records that `objects` of `videoId` are in their bucket (a repeat is harmless); a video
    /// deleted or rejected meanwhile gets them queued for deletion at once.
    /// SERIALIZABLE, so a delete or reject committing at the same instant cannot miss them.
    public func recordPublishedObjects(videoId: String, _ objects: [StoredObject], now: Date = Date()) throws {
        try write(.serializable) { tx in
            for object in objects {
                try tx.run(
                    "INSERT INTO published_objects (video_id, endpoint, bucket, object_key) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    [.text(videoId), .text(object.endpoint), .text(object.bucket), .text(object.key)])
            }
            if let state = try Self.videoState(tx.connection, videoId: videoId), state.deleted || state.approval == .rejected {
                try Self.queueObjectDeletions(tx, videoId: videoId, now: now)
            }
        }
    }

    /// Moves every recorded object of `videoId` into the outbox, due now (inside the caller's transaction).
    static func queueObjectDeletions(_ tx: PGTransaction, videoId: String, now: Date) throws {
        try tx.run(
            """
            INSERT INTO object_deletions (video_id, endpoint, bucket, object_key, next_attempt_at)
            SELECT video_id, endpoint, bucket, object_key, $1 FROM published_objects WHERE video_id = $2
            ON CONFLICT DO NOTHING
            """,
            [.integer(Timestamp.millis(now)), .text(videoId)]
        )
        try tx.run("DELETE FROM published_objects WHERE video_id = $1", [.text(videoId)])
    }

    /// The recorded objects of `videoId` (not yet queued for deletion).
    public func publishedObjects(videoId: String) throws -> [StoredObject] {
        try read { connection in
            let rows = try connection.execute(
                "SELECT endpoint, bucket, object_key FROM published_objects WHERE video_id = $1 ORDER BY object_key", [.text(videoId)])
            return (0..<rows.rowCount).map { StoredObject(endpoint: rows.string($0, 0), bucket: rows.string($0, 1), key: rows.string($0, 2)) }
        }
    }

    /// Outbox entries due at `now`, oldest first.
    public func dueObjectDeletions(now: Date = Date(), limit: Int = 50) throws -> [ObjectDeletion] {
        try read { connection in
            let rows = try connection.execute(
                """
                SELECT id, video_id, endpoint, bucket, object_key, attempts FROM object_deletions
                WHERE next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2
                """,
                [.integer(Timestamp.millis(now)), .integer(Int64(limit))]
            )
            return (0..<rows.rowCount).map { row in
                ObjectDeletion(id: rows.int64(row, 0), videoId: rows.string(row, 1),
                               object: StoredObject(endpoint: rows.string(row, 2), bucket: rows.string(row, 3), key: rows.string(row, 4)),
                               attempts: Int(rows.int64(row, 5)))
            }
        }
    }

    /// How many objects wait in the outbox.
    public func pendingObjectDeletionCount() throws -> Int {
        try read { Int(try $0.execute("SELECT COUNT(*) FROM object_deletions").int64(0, 0)) }
    }

    /// The object is gone from its bucket: the entry leaves the outbox.
    public func finishObjectDeletion(id: Int64) throws {
        _ = try write { tx in try tx.run("DELETE FROM object_deletions WHERE id = $1", [.integer(id)]) }
    }

    /// The deletion failed: tried again at `retryAt`, with the reason kept.
    public func postponeObjectDeletion(id: Int64, error: String, retryAt: Date) throws {
        _ = try write { tx in
            try tx.run("UPDATE object_deletions SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3",
                       [.text(error), .integer(Timestamp.millis(retryAt)), .integer(id)])
        }
    }
}
