/// How `Optimizer` makes the HD rendition and the poster.
public struct OptimizeSettings: Sendable, Equatable {
    /// Cap of the shorter side in pixels; never upscaled.
    public var maxHeight: Int = 720
    /// Frames above this rate are dropped.
    public var maxFrameRate: Double = 30
    /// libx264 constant rate factor.
    public var crf: Int = 23
    /// libx264 preset.
    public var preset: String = "veryfast"
    /// AAC bit rate in bits per second.
    public var audioBitRate: Int = 128_000
    /// Above this video bit rate a compliant input is transcoded instead of remuxed.
    public var maxVideoBitRate: Int64 = 8_000_000
    /// Where the poster frame is taken from (the first frame when the video is shorter).
    public var posterTimeSeconds: Double = 1.0
    /// libx264 threads; 0 lets libx264 choose.
    public var x264Threads: Int = 0

    /// Makes settings; every parameter has the production default.
    public init(maxHeight: Int = 720, maxFrameRate: Double = 30, crf: Int = 23, preset: String = "veryfast",
                audioBitRate: Int = 128_000, maxVideoBitRate: Int64 = 8_000_000, posterTimeSeconds: Double = 1.0,
                x264Threads: Int = 0) {
        self.maxHeight = maxHeight
        self.maxFrameRate = maxFrameRate
        self.crf = crf
        self.preset = preset
        self.audioBitRate = audioBitRate
        self.maxVideoBitRate = maxVideoBitRate
        self.posterTimeSeconds = posterTimeSeconds
        self.x264Threads = x264Threads
    }
}
