import CFFmpeg

/// Picks output timestamps in a 1/fps time base and drops the frames that would exceed the frame-rate cap.
struct FrameRateGate {
    /// The output frame rate: the source's when within the cap, else the cap.
    let frameRate: AVRational
    /// 1/frameRate, the encoder time base.
    let timeBase: AVRational
    private let sourceTimeBase: AVRational
    private let origin: Int64
    private var lastPts: Int64 = .min

    /// A gate for a source of `sourceRate` (avg or r frame rate) whose timestamps are in `sourceTimeBase`, counted from `origin`.
    init(sourceRate: AVRational, maxFrameRate: Double, sourceTimeBase: AVRational, origin: Int64) {
        if sourceRate.num > 0, sourceRate.den > 0, av_q2d(sourceRate) <= maxFrameRate + 0.001 {
            frameRate = sourceRate
        } else {
            frameRate = av_d2q(maxFrameRate, 100_000)
        }
        timeBase = av_inv_q(frameRate)
        self.sourceTimeBase = sourceTimeBase
        self.origin = origin
    }

    /// The output pts for a frame with source timestamp `timestamp`, or nil when the frame is to be dropped.
    mutating func admit(_ timestamp: Int64) -> Int64? {
        let pts: Int64
        if timestamp == CFFmpeg_AV_NOPTS_VALUE() {
            pts = lastPts == .min ? 0 : lastPts + 1
        } else {
            // Nearest output tick, ties down: 60→30 fps keeps frames 0, 2, 4… (not 0, 1, 3…), and timestamps a
            // little early (33 ms in a 1/1000 time base at 30 fps) still land on their own tick.
            let ticks = Double(timestamp - origin) * av_q2d(sourceTimeBase) / av_q2d(timeBase)
            pts = Int64((ticks - 1e-6).rounded(.toNearestOrAwayFromZero))
        }
        guard pts > lastPts else { return nil }
        lastPts = pts
        return pts
    }

    /// `pts` (output time base) in seconds.
    func seconds(of pts: Int64) -> Double { Double(pts) * av_q2d(timeBase) }
}
