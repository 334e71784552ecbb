import Foundation

/// Wakes idle workers when intake stores a job, and everyone when the daemon stops.
final class WorkSignal: @unchecked Sendable {
    private let condition = NSCondition()
    private var generation = 0
    private var stopped = false

    var isStopped: Bool { condition.withLock { stopped } }

    /// Wakes every waiting worker.
    func notify() { condition.withLock { generation += 1; condition.broadcast() } }

    /// Tells everyone to stop and wakes them.
    func stop() { condition.withLock { stopped = true; generation += 1; condition.broadcast() } }

    /// Waits until notified, stopped, or `timeout` passes.
    func wait(timeout: TimeInterval) {
        condition.lock()
        defer { condition.unlock() }
        let start = generation
        // Measured on the monotonic clock, waited in short slices: a wall-clock step cannot
        // stretch an idle worker's nap.
        let deadline = SystemClock.monotonic() + timeout
        while generation == start && !stopped {
            let remaining = deadline - SystemClock.monotonic()
            if remaining <= 0 { break }
            _ = condition.wait(until: Date().addingTimeInterval(min(remaining, 0.25)))
        }
    }
}
