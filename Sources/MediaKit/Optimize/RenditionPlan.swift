/// Which streams of a source are copied and which are re-encoded. Copying is the fast path: it is taken for a
/// stream only when that stream already meets every point of the uniform rendition (`UniformRendition`), and for
/// the video also when it is upright, within the size cap, within the bit-rate cap and in an mp4/mov container.
/// A copied video with transcoded audio is a legitimate, cheap mix (an H.264 phone clip with 44.1 kHz mono AAC).
struct RenditionPlan: Equatable {
    /// The first video stream is stream-copied (else decoded, filtered, scaled and re-encoded).
    var copyVideo: Bool
    /// The rendition audio stream (`ProbeReport.renditionAudio`) is stream-copied (false also without audio).
    var copyAudio: Bool
    /// Why the video is re-encoded (empty when copied), for the log and the tests.
    var videoReasons: [String]
    /// Why the audio is re-encoded (empty when copied or absent).
    var audioReasons: [String]

    /// The plan for `source` under `settings`.
    init(source: ProbeReport, settings: OptimizeSettings) {
        var video: [String] = []
        if source.format != .mp4 && source.format != .mov { video.append("\(source.format.rawValue) container") }
        if let stream = source.primaryVideo {
            video += UniformRendition.videoMisses(stream, maxFrameRate: settings.maxFrameRate)
            if (stream.rotationDegrees ?? 0) != 0 { video.append("rotated \(stream.rotationDegrees!)°") }
            if let width = stream.width, let height = stream.height, min(width, height) > settings.maxHeight {
                video.append("\(width)x\(height) is over \(settings.maxHeight)p")
            }
            let bitRate = stream.bitRate ?? source.bitRate
            if bitRate.map({ $0 > settings.maxVideoBitRate }) ?? true {
                video.append("video bit rate \(bitRate.map(String.init) ?? "unknown") over \(settings.maxVideoBitRate)")
            }
        } else {
            video.append("no video stream")
        }
        videoReasons = video
        copyVideo = video.isEmpty
        if let audio = source.renditionAudio {
            audioReasons = UniformRendition.audioMisses(audio)
            // Audio is only copied beside a copied video (a transcode re-times everything on one clock).
            if !copyVideo && audioReasons.isEmpty { audioReasons = ["the video is re-encoded"] }
        } else {
            audioReasons = []
        }
        copyAudio = source.renditionAudio != nil && audioReasons.isEmpty
    }
}
