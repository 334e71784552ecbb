/// Decides whether an input is already compliant, so a remux is enough.
enum FastPathPolicy {
    /// True for mp4/mov input whose first video is H.264 yuv420p, upright, within the size, frame-rate and bit-rate
    /// caps, and whose first audio stream (if any) is AAC.
    static func allowsRemux(_ source: ProbeReport, settings: OptimizeSettings) -> Bool {
        guard source.format == .mp4 || source.format == .mov,
              let video = source.primaryVideo,
              video.codec == "h264", video.pixelFormat == "yuv420p",
              (video.rotationDegrees ?? 0) == 0,
              let width = video.width, let height = video.height,
              min(width, height) <= settings.maxHeight,
              let frameRate = video.frameRate, frameRate <= settings.maxFrameRate + 0.001,
              let bitRate = video.bitRate ?? source.bitRate, bitRate <= settings.maxVideoBitRate
        else { return false }
        if let audio = source.primaryAudio, audio.codec != "aac" { return false }
        return true
    }
}
