import Foundation

extension SQLiteVideoStore {
    /// Nil: an embedded store serves the one daemon of its spool, whose in-process work signal and
    /// polling wake its workers (`VideoStore.makeJobWakeup`).
    public func makeJobWakeup() throws -> (any JobWakeup)? { nil }

    /// True: the spool's `daemon.lock` already makes its daemon the only one running a sweep on
    /// this store (`VideoStore.holdFleetLock`).
    public func holdFleetLock(_ lock: FleetLock) throws -> Bool {
        try StoreDownFault.check()
        return true
    }
}
