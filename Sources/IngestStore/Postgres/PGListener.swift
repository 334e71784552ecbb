import CPostgres
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Waits for `NOTIFY video_ingest_jobs` (sent by every job creation) on a connection of its own,
/// so an idle daemon claims a new job at once instead of at its next poll.
///
/// Not thread-safe: one thread waits on it. A broken connection is re-established (and the
/// `LISTEN` repeated) at the next `wait`; while the server is away `wait` returns false after
/// its timeout, and polling remains the fallback.
public final class PGListener: @unchecked Sendable {
    /// The channel job creations notify.
    public static let channel = "video_ingest_jobs"

    private let connection: PGConnection
    private var listening = false

    /// Connects like `PostgresVideoStore` and starts listening.
    public init(url: String, passwordFile: String? = nil) throws {
        connection = try PGConnection(url: url, passwordFile: passwordFile)
        try listen()
    }

    private func listen() throws {
        try connection.ensureConnected()
        try connection.execute("LISTEN \(Self.channel)")
        listening = true
    }

    /// Waits up to `timeout` seconds for a notification; returns true when at least one came
    /// (every pending one is consumed), false on timeout or while the server is unreachable.
    public func wait(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        if !connection.isUsable || !listening {
            listening = false
            guard (try? listen()) != nil else {
                Thread.sleep(forTimeInterval: max(0, min(timeout, 1)))
                return false
            }
        }
        while true {
            if drainNotifications() { return true }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return false }
            var descriptor = pollfd(fd: PQsocket(connection.handle), events: Int16(POLLIN), revents: 0)
            guard descriptor.fd >= 0 else { listening = false; return false }
            let ready = poll(&descriptor, 1, Int32(min(remaining * 1000, Double(Int32.max)).rounded(.up)))
            if ready < 0 && errno != EINTR { return false }
            if ready > 0 && PQconsumeInput(connection.handle) == 0 {
                listening = false  // the connection broke: the next wait reconnects
                return false
            }
        }
    }

    /// Consumes every notification libpq has read; true when there was one on our channel.
    private func drainNotifications() -> Bool {
        var got = false
        while let notification = PQnotifies(connection.handle) {
            if String(cString: notification.pointee.relname) == Self.channel { got = true }
            PQfreemem(notification)
        }
        return got
    }
}
