import Foundation
import IngestStore

/// When a failed delivery is tried again (CONTRACT section 9; docs/WEBHOOKS.md has the table).
///
/// The n-th failed attempt waits `firstRetrySeconds × 3^(n-1)`, at most an hour, with ±20 %
/// jitter: 5 s, 15 s, 45 s, 2¼ min, 6¾ min, 20 min, then hourly. A failure that comes
/// `retryForSeconds` or more after the retry window opened (the event's commit, or the last
/// `webhooks retry`) is the last: the delivery is given up. So a dead receiver is tried for at
/// least `retryForSeconds`, about 30 times over the default day.
struct RetrySchedule: Sendable {
    /// Each delay is this many times the previous one.
    static let growth = 3.0
    /// No delay is longer than this (before jitter).
    static let maxDelaySeconds = 3600.0
    /// Each delay is moved by up to this fraction either way, so receivers that come back are
    /// not hit by every sender's retries at once.
    static let jitter = 0.2

    let firstRetrySeconds: Double
    let retryForSeconds: Double

    init(_ notify: IngestConfig.Notify) {
        firstRetrySeconds = notify.firstRetrySeconds
        retryForSeconds = notify.retryForSeconds
    }

    /// The delay after the `attempt`-th failed attempt (1-based); `unit` in -1...1 picks the jitter.
    func delay(afterAttempt attempt: Int, unit: Double = Double.random(in: -1...1)) -> Double {
        let base = min(Self.maxDelaySeconds, firstRetrySeconds * pow(Self.growth, Double(max(0, min(attempt - 1, 30)))))
        return base * (1 + Self.jitter * max(-1, min(1, unit)))
    }

    /// What a failed attempt (the `attempt`-th) decides: retry later, or give up when the window is over.
    func afterFailure(attempt: Int, windowStart: Date, now: Date, unit: Double = Double.random(in: -1...1)) -> DeliveryAttemptResult {
        if now.timeIntervalSince(windowStart) >= retryForSeconds { return .givenUp }
        return .retry(at: now.addingTimeInterval(delay(afterAttempt: attempt, unit: unit)))
    }
}
