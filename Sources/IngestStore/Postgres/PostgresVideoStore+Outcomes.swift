import Foundation

extension PostgresVideoStore {
    /// Ends a video as FAILED with a contract failure code, and its job as `failed`, in one
    /// transaction whose first statement checks the lease. Returns `[videoId]`. Throws
    /// `.leaseLost` (changing nothing) when `lease` is no longer held, `.notFound` for an unknown
    /// video, `.invalidState` when it is not IN_PROGRESS.
    public func failVideo(_ lease: LeaseToken, videoId: String, errorCode: String, errorMessage: String?,
                          now: Date = Date()) throws -> [String] {
        try write(.serializable) { tx in
            let changed = try tx.run(
                """
                UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_expires_at = NULL, last_error = COALESCE($1, $2)
                WHERE \(Self.leaseHeld(from: 3)) AND video_id = $6
                """,
                [.text(errorMessage), .text(errorCode)] + Self.leaseParams(lease) + [.text(videoId)]
            )
            if changed == 0 { try Self.throwLeaseLost(tx.connection, lease) }
            try Self.requireInProgress(tx, videoId: videoId)
            try tx.run(
                "UPDATE videos SET status = 'FAILED', error_code = $1, error_message = $2, updated_at = $3 WHERE id = $4",
                [.text(errorCode), .text(errorMessage), .text(Timestamp.iso(now)), .text(videoId)]
            )
            try PostgresEvents.record(tx, .failed, videoId: videoId, now: now)
            return [videoId]
        }
    }

    /// Ends a video as SUCCESS (approved at once when `autoApprove`, unless already rejected)
    /// and its job as `done`, then applies the supersede rule, all in one SERIALIZABLE
    /// transaction (two successes of one productContentId on two daemons leave one holder).
    /// Returns `videoId` and every video whose shown product ids changed. Throws as `failVideo`.
    public func succeedVideo(
        _ lease: LeaseToken, videoId: String, optimizedVideoUrl: String, posterUrl: String?, durationSeconds: Double?,
        autoApprove: Bool, now: Date = Date()
    ) throws -> [String] {
        try write(.serializable) { tx in
            let changed = try tx.run(
                "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_expires_at = NULL WHERE \(Self.leaseHeld(from: 1)) AND video_id = $4",
                Self.leaseParams(lease) + [.text(videoId)]
            )
            if changed == 0 { try Self.throwLeaseLost(tx.connection, lease) }
            try Self.requireInProgress(tx, videoId: videoId)
            try tx.run(
                """
                UPDATE videos SET status = 'SUCCESS', error_code = NULL, error_message = NULL,
                    optimized_video_url = $1, poster_url = $2, duration_seconds = $3,
                    approval = CASE WHEN $4::boolean AND approval = 'PENDING' THEN 'APPROVED' ELSE approval END,
                    updated_at = $5
                WHERE id = $6
                """,
                [.text(optimizedVideoUrl), .text(posterUrl), .real(durationSeconds), .bool(autoApprove),
                 .text(Timestamp.iso(now)), .text(videoId)]
            )
            try PostgresEvents.record(tx, .succeeded, videoId: videoId, now: now)
            return try PostgresSupersede.apply(tx, videoId: videoId, now: now)
        }
    }

    private static func requireInProgress(_ tx: PGTransaction, videoId: String) throws {
        guard let state = try videoState(tx.connection, videoId: videoId) else { throw StoreError(.notFound, "no video \(videoId)") }
        guard state.status == .inProgress else {
            throw StoreError(.invalidState, "video \(videoId) is already \(state.status.rawValue)")
        }
    }
}
