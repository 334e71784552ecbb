import Foundation

/// One JSON line per event on stderr: time, level, message and the job's context
/// (videoId, sellerId, stage) where there is one.
public final class Log: @unchecked Sendable {
    /// How much an event matters.
    public enum Level: String, Sendable { case debug, info, warn, error }

    /// The process-wide log.
    public static let shared = Log()

    private let lock = NSLock()
    private let formatter: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()
    /// When false, debug events are dropped.
    public var verbose = ProcessInfo.processInfo.environment["VIDEO_INGEST_DEBUG"] != nil

    /// Writes one event.
    public func log(_ level: Level, _ message: String, videoId: String? = nil, sellerId: String? = nil,
                    stage: String? = nil, extra: [(String, JSONValue)] = []) {
        if level == .debug && !verbose { return }
        lock.lock()
        defer { lock.unlock() }
        var members: [(String, JSONValue)] = [("time", .string(formatter.string(from: Date()))), ("level", .string(level.rawValue))]
        if let videoId { members.append(("videoId", .string(videoId))) }
        if let sellerId { members.append(("sellerId", .string(sellerId))) }
        if let stage { members.append(("stage", .string(stage))) }
        members.append(("message", .string(message)))
        members.append(contentsOf: extra)
        FileHandle.standardError.write(Data((JSONValue.object(members).compact + "\n").utf8))
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
