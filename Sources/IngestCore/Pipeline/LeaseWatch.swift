import Foundation
import IngestStore

/// Tells a running job's worker, cheaply and often, whether it still holds the job's lease: the
/// store is asked at most every `interval` seconds (monotonic), on a background queue, so the
/// caller (a transfer's progress callback, a child's poll loop) never waits for a store that
/// another process holds locked. Once the lease is gone (the video was deleted, another worker
/// took the job over) the answer stays "lost". A store that cannot answer counts as held: the
/// next write would be refused anyway.
final class LeaseWatch: @unchecked Sendable {
    let lease: LeaseToken
    private let store: any VideoStore
    private let clock: IngestClock
    private let interval: Double
    private let state: LockedValue<(checkedAt: Double, lost: Bool)>
    private let refresh = BackgroundUpdates()

    init(store: any VideoStore, lease: LeaseToken, clock: IngestClock, interval: Double = 0.5) {
        self.store = store
        self.lease = lease
        self.clock = clock
        self.interval = interval
        state = LockedValue((clock.monotonicSeconds(), false))
    }

    /// Whether the lease is known to be lost; starts a background re-check when the last one is old.
    var isLost: Bool {
        let now = clock.monotonicSeconds()
        let (lost, due) = state.withValue { s -> (Bool, Bool) in
            if s.lost || now - s.checkedAt < interval { return (s.lost, false) }
            s.checkedAt = now
            return (false, true)
        }
        if due { refresh.submit { [self] in _ = checkNow() } }
        return lost
    }

    /// Asks the store now (blocking); true when the lease is lost.
    func checkNow() -> Bool {
        if state.withValue({ $0.lost }) { return true }
        let held = (try? store.holdsLease(lease)) ?? true
        if !held { markLost() }
        return !held
    }

    /// Records that a write was refused for this lease.
    func markLost() { state.withValue { $0.lost = true } }
}
