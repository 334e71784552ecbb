import Foundation

/// Job counts for the metrics (CONTRACT section 8: `video_ingest_jobs{state}`,
/// `video_ingest_oldest_queued_job_age_seconds`).
public struct JobCounts: Sendable, Equatable {
    /// Available and due.
    public var queued: Int
    public var running: Int
    /// Available but not yet due (a retry's backoff).
    public var waiting: Int
    /// When the longest-due queued job became due; nil when none is queued.
    public var oldestQueuedSince: Date?

    public init(queued: Int, running: Int, waiting: Int, oldestQueuedSince: Date?) {
        self.queued = queued
        self.running = running
        self.waiting = waiting
        self.oldestQueuedSince = oldestQueuedSince
    }
}
