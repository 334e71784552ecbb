import Foundation

/// Moderation (CONTRACT section 6). Each method throws `.notFound` for an unknown or
/// deleted video and returns the ids whose status document changed.
extension SQLiteVideoStore {
    /// Approves a SUCCESS video that was not rejected; `isApproved` becomes true.
    /// Throws `.invalidState` for a video that is not SUCCESS or was rejected.
    public func approve(videoId: String) throws -> [String] {
        try writeTransaction { db in
            let state = try Self.requireListed(db, videoId: videoId)
            guard state.status == .success else {
                throw StoreError(.invalidState, "video \(videoId) is \(state.status.rawValue); only a SUCCESS video can be approved")
            }
            guard state.approval != .rejected else {
                throw StoreError(.invalidState, "video \(videoId) was rejected and cannot be approved")
            }
            try db.run(
                "UPDATE videos SET approval = 'APPROVED', updated_at = ? WHERE id = ?",
                [.text(Timestamp.iso(Date())), .text(videoId)]
            )
            if state.approval != .approved { try Events.record(db, .approved, videoId: videoId, now: Date()) }
            return [videoId]
        }
    }

    /// Rejects a video for good (in any status), queues its objects in a bucket for deletion and
    /// releases its product ids to the next newest SUCCESS video of the seller that asked for them.
    public func reject(videoId: String, reason: String?) throws -> [String] {
        try writeTransaction { db in
            _ = try Self.requireListed(db, videoId: videoId)
            let now = Date()
            try db.run(
                "UPDATE videos SET approval = 'REJECTED', reject_reason = ?, updated_at = ? WHERE id = ?",
                [.text(reason), .text(Timestamp.iso(now)), .text(videoId)]
            )
            try Events.record(db, .rejected, videoId: videoId, now: now)
            try Self.queueObjectDeletions(db, videoId: videoId, now: now)
            return try Supersede.apply(db, videoId: videoId, now: now)
        }
    }

    /// Marks a video deleted (no longer listed), queues its objects in a bucket for deletion,
    /// releases its product ids and, in the same
    /// transaction, cancels its job when that is not settled yet: the lease of a running worker is
    /// gone, so it can write nothing more for the video (it notices, kills its media child and
    /// removes its scratch). The caller removes the media.
    public func delete(videoId: String) throws -> [String] {
        try writeTransaction { db in
            _ = try Self.requireListed(db, videoId: videoId)
            let now = Date()
            try db.run(
                """
                UPDATE jobs SET state = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, last_error = 'the video was deleted'
                WHERE video_id = ? AND state IN ('available', 'running', 'stuck')
                """,
                [.text(videoId)]
            )
            try db.run(
                "UPDATE videos SET deleted = 1, updated_at = ? WHERE id = ?",
                [.text(Timestamp.iso(now)), .text(videoId)]
            )
            try Events.record(db, .deleted, videoId: videoId, now: now)
            try Self.queueObjectDeletions(db, videoId: videoId, now: now)
            return try Supersede.apply(db, videoId: videoId, now: now)
        }
    }

    private static func requireListed(_ db: Database, videoId: String) throws -> VideoState {
        guard let state = try videoState(db, videoId: videoId), !state.deleted else {
            throw StoreError(.notFound, "no video \(videoId)")
        }
        return state
    }
}
