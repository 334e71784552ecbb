import Foundation

extension PostgresVideoStore {
    /// A `PGListener` on a connection of its own (`VideoStore.makeJobWakeup`): every commit that
    /// makes a job claimable now sends `NOTIFY video_ingest_jobs`.
    public func makeJobWakeup() throws -> (any JobWakeup)? {
        try PGListener(url: url, passwordFile: passwordFile)
    }

    /// Holds `lock` as a session-level advisory lock of this instance's connection
    /// (`VideoStore.holdFleetLock`). A lock already taken on the current session answers true
    /// without a round trip; after the connection was re-established (the server restarted, so
    /// the session and its locks are gone) it is tried again.
    public func holdFleetLock(_ lock: FleetLock) throws -> Bool {
        try read { connection in
            if heldFleetLocks[lock] == connection.resets && connection.isUsable { return true }
            guard try connection.tryAdvisoryLock(lock.key) else {
                heldFleetLocks[lock] = nil
                return false
            }
            heldFleetLocks[lock] = connection.resets
            return true
        }
    }
}

extension PGListener: JobWakeup {}
