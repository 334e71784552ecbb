import CFFmpeg

/// Chooses the poster during a decode pass: the first upright frame at or after the target time, else the first frame.
final class PosterCapture {
    private let targetSeconds: Double
    private let path: String
    private var firstFrame: Frame?
    /// True once the poster file is written.
    private(set) var isDone = false

    /// A capture writing to `path` for a frame at `targetSeconds`.
    init(targetSeconds: Double, path: String) {
        self.targetSeconds = targetSeconds
        self.path = path
    }

    /// The poster time for a source: `posterTimeSeconds`, or 0 when the source is shorter than that.
    static func targetSeconds(for source: ProbeReport, settings: OptimizeSettings) -> Double {
        if let duration = source.durationSeconds, duration <= settings.posterTimeSeconds { return 0 }
        return max(0, settings.posterTimeSeconds)
    }

    /// Considers an upright frame shown at `seconds`; writes the poster when it is the one.
    func offer(_ frame: UnsafeMutablePointer<AVFrame>, atSeconds seconds: Double) throws {
        guard !isDone else { return }
        if seconds >= targetSeconds - 0.001 {
            try PosterWriter.write(frame, to: path)
            isDone = true
            firstFrame = nil
        } else if firstFrame == nil {
            firstFrame = try Frame(referencing: frame)
        }
    }

    /// At end of input: writes the poster from the first frame if no frame reached the target time.
    func finish() throws {
        guard !isDone else { return }
        guard let firstFrame else { throw MediaError(.decodeFailed, "no video frame could be decoded") }
        try PosterWriter.write(firstFrame.pointer, to: path)
        isDone = true
        self.firstFrame = nil
    }
}
