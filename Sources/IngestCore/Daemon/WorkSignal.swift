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
        let deadline = Date().addingTimeInterval(timeout)
        while generation == start && !stopped {
            if !condition.wait(until: deadline) { break }
        }
    }
}
