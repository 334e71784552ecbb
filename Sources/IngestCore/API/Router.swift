import IngestHTTP

/// The routes of CONTRACT section 8, matched from the raw path (escapes kept, decoded here per
/// segment: a segment that decodes to `.`, `..`, or holds a NUL, a `/` or a broken escape
/// matches nothing).
enum Route: Equatable, Sendable {
    case healthz, readyz, metrics
    case videos
    case video(id: String)
    case media(id: String, file: MediaFile)
    case approve(id: String)
    case reject(id: String)

    /// The files a SUCCESS video serves.
    enum MediaFile: String, Sendable {
        case rendition = "video_hd.mp4"
        case poster = "poster.jpg"
        var contentType: String { self == .rendition ? "video/mp4" : "image/jpeg" }
    }

    /// The methods each route answers (HEAD wherever GET).
    var methods: [String] {
        switch self {
        case .healthz, .readyz, .metrics, .media: return ["GET", "HEAD"]
        case .videos: return ["GET", "HEAD", "POST"]
        case .video: return ["GET", "HEAD", "DELETE"]
        case .approve, .reject: return ["POST"]
        }
    }

    /// The route's template, the `route` label of the metrics (never an id).
    var label: String {
        switch self {
        case .healthz: return "/healthz"
        case .readyz: return "/readyz"
        case .metrics: return "/metrics"
        case .videos: return "/v1/videos"
        case .video: return "/v1/videos/{id}"
        case .media(_, let file): return "/v1/videos/{id}/" + file.rawValue
        case .approve: return "/v1/videos/{id}/approve"
        case .reject: return "/v1/videos/{id}/reject"
        }
    }

    /// True for routes anyone may call without a key.
    var isPublic: Bool { self == .healthz || self == .readyz || self == .metrics }

    /// The route of a raw path, or nil. A video id must be a UUID (any case; answered lowercased).
    static func match(_ rawPath: String) -> Route? {
        guard rawPath.hasPrefix("/"), rawPath.utf8.count <= 2048 else { return nil }
        var segments: [String] = []
        for raw in rawPath.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let segment = PercentDecoding.decode(String(raw)), segment != ".", segment != "..", !segment.contains("/") else { return nil }
            segments.append(segment)
        }
        if segments.last == "" && segments.count > 1 { segments.removeLast() }  // one trailing slash is allowed
        switch segments.count {
        case 1:
            switch segments[0] {
            case "healthz": return .healthz
            case "readyz": return .readyz
            case "metrics": return .metrics
            default: return nil
            }
        case 2 where segments == ["v1", "videos"]: return .videos
        case 3, 4:
            guard segments[0] == "v1", segments[1] == "videos", let id = videoId(segments[2]) else { return nil }
            if segments.count == 3 { return .video(id: id) }
            switch segments[3] {
            case "approve": return .approve(id: id)
            case "reject": return .reject(id: id)
            default: return MediaFile(rawValue: segments[3]).map { .media(id: id, file: $0) }
            }
        default: return nil
        }
    }

    /// The canonical (lowercase) form of a UUID text, or nil.
    static func videoId(_ text: String) -> String? {
        guard text.utf8.count == 36 else { return nil }
        for (i, c) in text.utf8.enumerated() {
            let isDash = i == 8 || i == 13 || i == 18 || i == 23
            if isDash ? c != UInt8(ascii: "-") : !((c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66)) { return nil }
        }
        return text.lowercased()
    }
}
