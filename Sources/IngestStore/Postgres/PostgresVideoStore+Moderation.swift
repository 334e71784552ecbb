import Foundation

/// Moderation (CONTRACT section 6), as `VideoStore`'s: each method throws `.notFound` for an
/// unknown or deleted video and returns the ids whose status document changed. Reject and delete
/// run SERIALIZABLE, like a success, because they move product ids.
extension PostgresVideoStore {
    /// Approves a SUCCESS video that was not rejected. Throws `.invalidState` otherwise.
    public func approve(videoId: String) throws -> [String] {
        try write(.serializable) { tx in
            let state = try Self.requireListed(tx, videoId: videoId)
            guard state.status == .success else {
                throw StoreError(.invalidState, "video \(videoId) is \(state.status.rawValue); only a SUCCESS video can be approved")
            }
            guard state.approval != .rejected else {
                throw StoreError(.invalidState, "video \(videoId) was rejected and cannot be approved")
            }
            try tx.run("UPDATE videos SET approval = 'APPROVED', updated_at = $1 WHERE id = $2", [.text(Timestamp.iso(Date())), .text(videoId)])
            if state.approval != .approved { try PostgresEvents.record(tx, .approved, videoId: videoId, now: Date()) }
            return [videoId]
        }
    }

    /// Rejects a video for good, queues its objects for deletion and releases its product ids.
    public func reject(videoId: String, reason: String?) throws -> [String] {
        try write(.serializable) { tx in
            _ = try Self.requireListed(tx, videoId: videoId)
            let now = Date()
            try tx.run("UPDATE videos SET approval = 'REJECTED', reject_reason = $1, updated_at = $2 WHERE id = $3",
                       [.text(reason), .text(Timestamp.iso(now)), .text(videoId)])
            try PostgresEvents.record(tx, .rejected, videoId: videoId, now: now)
            try Self.queueObjectDeletions(tx, videoId: videoId, now: now)
            return try PostgresSupersede.apply(tx, videoId: videoId, now: now)
        }
    }

    /// Marks a video deleted, queues its objects for deletion, releases its product ids and cancels
    /// its unsettled job in the same transaction (its worker's lease is gone).
    public func delete(videoId: String) throws -> [String] {
        try write(.serializable) { tx in
            _ = try Self.requireListed(tx, videoId: videoId)
            let now = Date()
            try tx.run(
                """
                UPDATE jobs SET state = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, last_error = 'the video was deleted'
                WHERE video_id = $1 AND state IN ('available', 'running', 'stuck')
                """,
                [.text(videoId)]
            )
            try tx.run("UPDATE videos SET deleted = true, updated_at = $1 WHERE id = $2", [.text(Timestamp.iso(now)), .text(videoId)])
            try PostgresEvents.record(tx, .deleted, videoId: videoId, now: now)
            try Self.queueObjectDeletions(tx, videoId: videoId, now: now)
            return try PostgresSupersede.apply(tx, videoId: videoId, now: now)
        }
    }

    private static func requireListed(_ tx: PGTransaction, videoId: String) throws -> VideoState {
        guard let state = try videoState(tx.connection, videoId: videoId), !state.deleted else {
            throw StoreError(.notFound, "no video \(videoId)")
        }
        return state
    }
}
