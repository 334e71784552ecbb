import Foundation

extension SQLiteVideoStore {
    /// Counts one more death of the job's media child process (killed by a signal or for a
    /// resource limit) and returns the new count. The count is durable, so it survives a daemon
    /// restart. Throws `.leaseLost` (changing nothing) when `lease` is no longer held.
    public func recordMediaCrash(_ lease: LeaseToken) throws -> Int {
        try writeTransaction { db in
            let count = try db.queryFirst(
                "UPDATE jobs SET media_crashes = media_crashes + 1 WHERE \(Self.leaseHeld) RETURNING media_crashes",
                Self.leaseParams(lease)
            ) { $0.int64(0) }
            guard let count else { try Self.throwLeaseLost(db, lease) }
            return Int(count)
        }
    }

    /// How many times the job's media child died so far (0 for an unknown job).
    public func mediaCrashes(jobId: Int64) throws -> Int {
        try withConnection { db in
            Int(try db.queryFirst("SELECT media_crashes FROM jobs WHERE id = ?", [.integer(jobId)]) { $0.int64(0) } ?? 0)
        }
    }
}
