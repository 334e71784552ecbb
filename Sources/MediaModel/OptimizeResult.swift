/// What `Optimizer.optimize` produced.
public struct OptimizeResult: Sendable, Equatable {
    /// `<outputDirectory>/video_hd.mp4`.
    public var videoPath: String
    /// `<outputDirectory>/poster.jpg`.
    public var posterPath: String
    /// True when the video was stream-copied (remuxed) rather than transcoded.
    public var usedFastPath: Bool
    /// The re-probe of the written rendition.
    public var output: ProbeReport

    /// Makes a result.
    public init(videoPath: String, posterPath: String, usedFastPath: Bool, output: ProbeReport) {
        self.videoPath = videoPath
        self.posterPath = posterPath
        self.usedFastPath = usedFastPath
        self.output = output
    }
}
