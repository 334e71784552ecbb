import Foundation

extension SQLiteVideoStore {
    /// Ends a video as FAILED with a contract failure code, and its job as `failed`, in one transaction.
    /// Returns the ids whose status document changed (just `videoId`).
    /// Throws `.leaseLost` (changing nothing) when `lease` is no longer held (a delete cancelled the
    /// job, or another worker took it over), `.notFound` for an unknown video, `.invalidState` when
    /// it is not IN_PROGRESS.
    public func failVideo(_ lease: LeaseToken, videoId: String, errorCode: String, errorMessage: String?,
                          now: Date) throws -> [String] {
        try writeTransaction { db in
            let changed = try db.run(
                """
                UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_expires_at = NULL,
                                last_error = COALESCE(?, ?)
                WHERE \(Self.leaseHeld) AND video_id = ?
                """,
                [.text(errorMessage), .text(errorCode)] + Self.leaseParams(lease) + [.text(videoId)]
            )
            if changed == 0 { try Self.throwLeaseLost(db, lease) }
            try Self.requireInProgress(db, videoId: videoId)
            try db.run(
                "UPDATE videos SET status = 'FAILED', error_code = ?, error_message = ?, updated_at = ? WHERE id = ?",
                [.text(errorCode), .text(errorMessage), .text(Timestamp.iso(now)), .text(videoId)]
            )
            try Events.record(db, .failed, videoId: videoId, now: now)
            return [videoId]
        }
    }

    /// Ends a video as SUCCESS (approved at once when `autoApprove`, unless already rejected)
    /// and its job as `done`, then applies the supersede rule, all in one transaction.
    /// Returns `videoId` and every video whose shown product ids changed.
    /// Throws `.leaseLost` (changing nothing) when `lease` is no longer held, `.notFound` for an
    /// unknown video, `.invalidState` when it is not IN_PROGRESS.
    public func succeedVideo(
        _ lease: LeaseToken, videoId: String, optimizedVideoUrl: String, posterUrl: String?, durationSeconds: Double?,
        autoApprove: Bool, now: Date
    ) throws -> [String] {
        try writeTransaction { db in
            let changed = try db.run(
                "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_expires_at = NULL WHERE \(Self.leaseHeld) AND video_id = ?",
                Self.leaseParams(lease) + [.text(videoId)]
            )
            if changed == 0 { try Self.throwLeaseLost(db, lease) }
            try Self.requireInProgress(db, videoId: videoId)
            try db.run(
                """
                UPDATE videos SET status = 'SUCCESS', error_code = NULL, error_message = NULL,
                    optimized_video_url = ?, poster_url = ?, duration_seconds = ?,
                    approval = CASE WHEN ? = 1 AND approval = 'PENDING' THEN 'APPROVED' ELSE approval END,
                    updated_at = ?
                WHERE id = ?
                """,
                [.text(optimizedVideoUrl), .text(posterUrl), .real(durationSeconds), .bool(autoApprove),
                 .text(Timestamp.iso(now)), .text(videoId)]
            )
            try Events.record(db, .succeeded, videoId: videoId, now: now)
            return try Supersede.apply(db, videoId: videoId, now: now)
        }
    }

    private static func requireInProgress(_ db: Database, videoId: String) throws {
        guard let state = try videoState(db, videoId: videoId) else {
            throw StoreError(.notFound, "no video \(videoId)")
        }
        guard state.status == .inProgress else {
            throw StoreError(.invalidState, "video \(videoId) is already \(state.status.rawValue)")
        }
    }
}
