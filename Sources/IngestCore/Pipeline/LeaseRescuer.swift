import Foundation
import IngestStore

/// Requeues jobs whose worker stopped renewing its lease (a daemon killed with SIGKILL, a frozen
/// process, a store another process keeps locked), judged on this process's monotonic clock:
/// a lease is stale when its renewal count has not moved for `leaseSeconds` of monotonic time
/// since this rescuer first saw it at that count. A wall-clock step changes nothing. In a fleet
/// one daemon at a time rescues (it runs a pass only while it holds `FleetLock.leaseRescuer`);
/// should two ever overlap they still agree, since each only requeues a lease that is still at
/// the generation and renewal count it watched (`requeueStaleLease`).
final class LeaseRescuer: @unchecked Sendable {
    private struct Seen {
        var lease: LeaseToken
        var beats: Int64
        var since: Double
    }

    private let store: any VideoStore
    private let clock: IngestClock
    private var seen: [Int64: Seen] = [:]
    private let lock = NSLock()

    init(store: any VideoStore, clock: IngestClock) {
        self.store = store
        self.clock = clock
    }

    /// Forgets what earlier passes saw (another daemon holds the rescuer's lock: should this one
    /// get it back, every lease is watched afresh for a whole `leaseSeconds`).
    func forget() {
        lock.withLock { seen = [:] }
    }

    /// One pass: notes what every running lease looks like now and requeues those unchanged for
    /// `leaseSeconds`. Returns the tokens it requeued.
    func pass(leaseSeconds: Double) throws -> [LeaseToken] {
        try lock.withLock {
            let now = clock.monotonicSeconds()
            var requeued: [LeaseToken] = []
            var next: [Int64: Seen] = [:]
            for (lease, beats) in try store.runningLeases() {
                if let old = seen[lease.jobId], old.lease == lease, old.beats == beats {
                    if now - old.since >= leaseSeconds {
                        if try store.requeueStaleLease(lease, beats: beats) { requeued.append(lease) }
                        continue
                    }
                    next[lease.jobId] = old
                } else {
                    next[lease.jobId] = Seen(lease: lease, beats: beats, since: now)
                }
            }
            seen = next
            return requeued
        }
    }
}
