/// What `MediaProbe` found in a media file.
public struct ProbeReport: Sendable, Codable, Equatable {
    /// The container format the file was opened as.
    public var format: ContainerFormat
    /// The container duration in seconds; when absent, the longest stream's.
    public var durationSeconds: Double?
    /// The container bit rate in bits per second, when known.
    public var bitRate: Int64?
    /// Every stream, in container order.
    public var streams: [StreamInfo]
    /// For mov/mp4: the top-level `moov` atom comes before `mdat`. False for other formats.
    public var isFaststart: Bool
    /// The keys of the container-level metadata (e.g. "major_brand", "location"), in container order.
    public var metadataKeys: [String]

    /// Makes a report.
    public init(format: ContainerFormat, durationSeconds: Double?, bitRate: Int64?, streams: [StreamInfo],
                isFaststart: Bool, metadataKeys: [String] = []) {
        self.format = format
        self.durationSeconds = durationSeconds
        self.bitRate = bitRate
        self.streams = streams
        self.isFaststart = isFaststart
        self.metadataKeys = metadataKeys
    }

    /// True when there is a video stream (attached pictures do not count).
    public var hasVideo: Bool { primaryVideo != nil }
    /// True when there is an audio stream.
    public var hasAudio: Bool { primaryAudio != nil }
    /// The first video stream.
    public var primaryVideo: StreamInfo? { streams.first { $0.type == "video" } }
    /// The first audio stream.
    public var primaryAudio: StreamInfo? { streams.first { $0.type == "audio" } }
    /// The primary video's width after rotation.
    public var displayWidth: Int? { primaryVideo?.displayWidth }
    /// The primary video's height after rotation.
    public var displayHeight: Int? { primaryVideo?.displayHeight }
}
