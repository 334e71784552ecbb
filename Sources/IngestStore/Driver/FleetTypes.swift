import Foundation

/// Wakes an idle worker when the store says new work may be claimable (`VideoStore.makeJobWakeup`).
/// One thread waits on one instance (it is handed to that thread, hence `Sendable`; not shared).
public protocol JobWakeup: AnyObject, Sendable {
    /// Waits up to `timeout` seconds; true when a notification came (every pending one is
    /// consumed), false on timeout or while the store is unreachable (it reconnects by itself at a
    /// later call). Never throws: a wakeup is an optimisation, polling stays the fallback.
    func wait(timeout: Double) -> Bool
}

/// A periodic fleet-wide sweep that one daemon at a time runs (`VideoStore.holdFleetLock`), because
/// two at once would do its work twice. Each has a fixed 64-bit key (PostgreSQL: the
/// `pg_try_advisory_lock` key); the keys never change, since daemons of different builds share them.
public enum FleetLock: String, CaseIterable, Sendable {
    /// The lease rescuer (requeues running jobs whose lease stopped being renewed).
    case leaseRescuer
    /// Forgetting idempotency keys past `intake.keyRetentionHours`.
    case keyPruning
    /// Draining the object-deletion outbox (objects in a bucket of deleted or rejected videos).
    case objectDeletions

    /// The lock's key: "vi" in the high bytes, then a number per sweep.
    public var key: Int64 {
        let base: Int64 = 0x7669_0000_0000_0000
        switch self {
        case .leaseRescuer: return base + 1
        case .keyPruning: return base + 2
        case .objectDeletions: return base + 3
        }
    }
}

/// Where a video came in: the spool whose inbox (or `enqueue`, or HTTP API) took its request
/// (CONTRACT section 10). The daemon of that spool keeps the video's status file current there.
public enum VideoOrigin {
    /// The origin of every video of an embedded (SQLite) store: that store belongs to one spool,
    /// the one it lives in. A spool on a shared store uses its own id instead (`state/spool-id`).
    public static let embeddedSpool = "local"
}

/// One entry of a job's history (`VideoStore.jobHistory`): a claim, or a stage result recorded,
/// with the lease that did it. Entries are append-only and numbered in commit order across the
/// whole store, so a reader can check that no lease wrote after the next one claimed the job.
public struct JobHistoryEntry: Sendable, Equatable, CustomStringConvertible {
    /// What happened.
    public enum Event: String, Sendable {
        /// The job was claimed (`claimJob`): `lease` is the new lease.
        case claimed
        /// A stage's result was recorded (`recordStage`) under `lease`.
        case stage
    }

    /// The store-wide order of the entry (grows with every entry of every job).
    public let seq: Int64
    /// What happened.
    public let event: Event
    /// The stage whose result was recorded (nil for a claim).
    public let stage: String?
    /// The lease: its owner (daemon) and generation.
    public let lease: LeaseToken

    /// Creates an entry.
    public init(seq: Int64, event: Event, stage: String?, lease: LeaseToken) {
        self.seq = seq
        self.event = event
        self.stage = stage
        self.lease = lease
    }

    /// `#seq claimed by owner g2` or `#seq stage download by owner g2`.
    public var description: String {
        "#\(seq) \(event == .claimed ? "claimed" : "stage \(stage ?? "?")") by \(lease.owner) g\(lease.generation)"
    }
}
