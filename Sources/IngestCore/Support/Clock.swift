import Foundation

/// The daemon's two clocks. `wallNow` is for what is stored and shown (timestamps, `run_at`);
/// `monotonicSeconds` is for every elapsed time (lease rescues, heartbeats, throttles, deadlines),
/// so a wall-clock step (NTP, suspend, an operator's `date -s`) expires nothing.
/// Tests inject a `ManualClock` whose two readings they move independently.
public protocol IngestClock: Sendable {
    /// The wall clock.
    func wallNow() -> Date
    /// Seconds on a clock that never steps (`CLOCK_MONOTONIC`); only differences mean anything.
    func monotonicSeconds() -> Double
}

/// The system's clocks.
public struct SystemClock: IngestClock {
    /// Creates the system clock.
    public init() {}
    public func wallNow() -> Date { Date() }
    public func monotonicSeconds() -> Double { Self.monotonic() }

    /// `CLOCK_MONOTONIC` in seconds (for code that has no clock injected, such as the media child's deadline).
    public static func monotonic() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// A clock that tests move by hand: `step(wall:)` jumps the wall clock alone (as NTP would),
/// `advance(_:)` moves both (time passing).
public final class ManualClock: IngestClock, @unchecked Sendable {
    private let lock = NSLock()
    private var wall: Date
    private var monotonic: Double

    /// Starts at `wall` and monotonic 1000 s.
    public init(wall: Date = Date()) {
        self.wall = wall
        monotonic = 1000
    }

    public func wallNow() -> Date { lock.withLock { wall } }
    public func monotonicSeconds() -> Double { lock.withLock { monotonic } }

    /// Jumps the wall clock by `seconds` (either way); the monotonic clock does not move.
    public func step(wall seconds: Double) { lock.withLock { wall = wall.addingTimeInterval(seconds) } }

    /// Lets `seconds` pass on both clocks.
    public func advance(_ seconds: Double) {
        lock.withLock {
            wall = wall.addingTimeInterval(seconds)
            monotonic += seconds
        }
    }
}
