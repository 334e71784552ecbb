/// Facts about one stream, as libavformat reports them.
public struct StreamInfo: Sendable, Codable, Equatable {
    /// The stream index in the container.
    public var index: Int
    /// "video", "audio", "subtitle", "data" or "other" (attached pictures such as cover art count as "other").
    public var type: String
    /// The codec name from `avcodec_get_name`, e.g. "h264", "aac".
    public var codec: String
    /// Coded width in pixels (video).
    public var width: Int?
    /// Coded height in pixels (video).
    public var height: Int?
    /// `avg_frame_rate`, or `r_frame_rate` when the average is unknown (video).
    public var frameRate: Double?
    /// Display-matrix rotation normalized to 0/90/180/270, counterclockwise as `av_display_rotation_get` and ffprobe
    /// report it ("rotation of 90.00 degrees"); showing the video upright means turning the pixels counterclockwise
    /// by this much (ffmpeg's autorotate: 90 → `transpose=cclock`, 270 → `transpose=clock`). nil when there is no display matrix.
    public var rotationDegrees: Int?
    /// The pixel format name, e.g. "yuv420p" (video).
    public var pixelFormat: String?
    /// The codec profile name from `avcodec_profile_name`, e.g. "High", "LC", when known.
    public var profile: String?
    /// Samples per second (audio).
    public var sampleRate: Int?
    /// Channel count (audio).
    public var channels: Int?
    /// The stream bit rate in bits per second, when known.
    public var bitRate: Int64?
    /// The stream duration in seconds, when known.
    public var durationSeconds: Double?

    /// Makes a stream description.
    public init(index: Int, type: String, codec: String, width: Int? = nil, height: Int? = nil, frameRate: Double? = nil,
                rotationDegrees: Int? = nil, pixelFormat: String? = nil, profile: String? = nil, sampleRate: Int? = nil, channels: Int? = nil,
                bitRate: Int64? = nil, durationSeconds: Double? = nil) {
        self.index = index
        self.type = type
        self.codec = codec
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.rotationDegrees = rotationDegrees
        self.pixelFormat = pixelFormat
        self.profile = profile
        self.sampleRate = sampleRate
        self.channels = channels
        self.bitRate = bitRate
        self.durationSeconds = durationSeconds
    }

    /// Width after applying the rotation (90/270 swap width and height).
    public var displayWidth: Int? { isQuarterTurn ? height : width }
    /// Height after applying the rotation.
    public var displayHeight: Int? { isQuarterTurn ? width : height }

    private var isQuarterTurn: Bool { rotationDegrees == 90 || rotationDegrees == 270 }
}
