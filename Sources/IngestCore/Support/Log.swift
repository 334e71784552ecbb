import Foundation
import Glibc

/// One JSON line per event on stderr: time, level, message and the job's context
/// (videoId, sellerId, stage) where there is one.
public final class Log: @unchecked Sendable {
    /// How much an event matters.
    public enum Level: String, Sendable { case debug, info, warn, error }

    /// The process-wide log.
    public static let shared = Log()

    private let lock = NSLock()
    /// When false, debug events are dropped.
    public var verbose = ProcessInfo.processInfo.environment["VIDEO_INGEST_DEBUG"] != nil

    /// Writes one event.
    public func log(_ level: Level, _ message: String, videoId: String? = nil, sellerId: String? = nil,
                    stage: String? = nil, extra: [(String, JSONValue)] = []) {
        if level == .debug && !verbose { return }
        lock.lock()
        defer { lock.unlock() }
        var members: [(String, JSONValue)] = [("time", .string(Self.timestamp())), ("level", .string(level.rawValue))]
        if let videoId { members.append(("videoId", .string(videoId))) }
        if let sellerId { members.append(("sellerId", .string(sellerId))) }
        if let stage { members.append(("stage", .string(stage))) }
        members.append(("message", .string(message)))
        members.append(contentsOf: extra)
        let line = JSONValue.object(members).compactBytes + [UInt8(ascii: "\n")]
        line.withUnsafeBytes { buffer in
            var sent = 0
            while sent < buffer.count {
                let n = Glibc.write(2, buffer.baseAddress! + sent, buffer.count - sent)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                sent += n
            }
        }
    }

    /// The current UTC time as RFC 3339 with milliseconds (`2026-12-03T17:40:36.123Z`), from
    /// `clock_gettime` and `gmtime_r` (ISO8601DateFormatter cost more than the rest of a line).
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : String(v) }
        let millis = Int(now.tv_nsec / 1_000_000)
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : String(millis)
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }

    public func info(_ message: String, videoId: String? = nil, sellerId: String? = nil, stage: String? = nil, extra: [(String, JSONValue)] = []) {
        log(.info, message, videoId: videoId, sellerId: sellerId, stage: stage, extra: extra)
    }
    public func warn(_ message: String, videoId: String? = nil, sellerId: String? = nil, stage: String? = nil, extra: [(String, JSONValue)] = []) {
        log(.warn, message, videoId: videoId, sellerId: sellerId, stage: stage, extra: extra)
    }
    public func error(_ message: String, videoId: String? = nil, sellerId: String? = nil, stage: String? = nil, extra: [(String, JSONValue)] = []) {
        log(.error, message, videoId: videoId, sellerId: sellerId, stage: stage, extra: extra)
    }
}
