/// Bounds the optimizer's work by the probed duration: a header that claims 60 s over a stream that runs far
/// longer gets a 60 s rendition, never an unbounded transcode. Video packets later than the probed duration plus
/// `margin` end the demux loop (the output verifier accepts 0.5 s of difference).
enum DurationBound {
    /// Seconds past the probed duration that are still read.
    static let margin = 0.25

    /// True when a video packet at `seconds` lies beyond the source's probed duration.
    static func isPast(_ seconds: Double, of source: ProbeReport) -> Bool {
        guard let duration = source.durationSeconds, duration > 0 else { return false }
        return seconds > duration + margin
    }
}
