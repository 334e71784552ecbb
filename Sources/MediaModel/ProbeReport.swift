/// What `MediaProbe` found in a media file.
public struct ProbeReport: Sendable, Codable, Equatable {
    /// The container format the file was opened as.
    public var format: ContainerFormat
    /// The duration in seconds measured from the streams' packets (`StreamSpans`): the longer of the primary video's
    /// and the rendition audio's spans; the header's only when no packet has a timestamp.
    public var durationSeconds: Double?
    /// What the container header claims (`AVFormatContext.duration`), for diagnostics only: it never decides.
    public var headerDurationSeconds: Double?
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
    /// The audio stream the rendition carries: the first one flagged default (in QuickTime and MP4, the first enabled
    /// track), else the first audio stream. Every other audio stream is left out.
    public var renditionAudio: StreamInfo? { streams.first { $0.type == "audio" && $0.isDefault } ?? primaryAudio }
    /// The primary video's width after rotation.
    public var displayWidth: Int? { primaryVideo?.displayWidth }
    /// The primary video's height after rotation.
    public var displayHeight: Int? { primaryVideo?.displayHeight }
}
