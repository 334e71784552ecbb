import Foundation

extension PostgresVideoStore {
    /// Counts one more death of the job's media child process and returns the new count, in one
    /// statement that checks the lease. Throws `.leaseLost` (changing nothing) when `lease` is no longer held.
    public func recordMediaCrash(_ lease: LeaseToken) throws -> Int {
        try write { tx in
            let rows = try tx.execute(
                "UPDATE jobs SET media_crashes = media_crashes + 1 WHERE \(Self.leaseHeld(from: 1)) RETURNING media_crashes",
                Self.leaseParams(lease))
            guard rows.rowCount > 0 else { try Self.throwLeaseLost(tx.connection, lease) }
            return Int(rows.int64(0, 0))
        }
    }

    /// How many times the job's media child died so far (0 for an unknown job).
    public func mediaCrashes(jobId: Int64) throws -> Int {
        try read { connection in
            let rows = try connection.execute("SELECT media_crashes FROM jobs WHERE id = $1", [.integer(jobId)])
            return rows.rowCount > 0 ? Int(rows.int64(0, 0)) : 0
        }
    }
}
