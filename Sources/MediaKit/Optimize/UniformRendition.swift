/// The points of the uniform rendition (CONTRACT section 4) that one stream can meet or miss. The fast path asks
/// them of the source (`RenditionPlan`), the verifier of the written rendition (`OutputVerifier`), so both use the
/// same rules: a stream passes when the returned list is empty.
enum UniformRendition {
    /// H.264 profiles every browser and phone decodes ("High profile or lower").
    static let h264Profiles: Set<String> = ["Constrained Baseline", "Baseline", "Main", "High"]
    /// The rendition's audio sample rate.
    static let sampleRate = Int(AudioFormat.sampleRate)
    /// The rendition's audio channel count.
    static let channels = Int(AudioFormat.channels)
    /// A little above a frame-rate cap still counts as the cap (30000/1001 and rounding).
    static let frameRateTolerance = 0.01

    /// What `video` misses of the rendition's video points: H.264 High or lower, 8-bit yuv420p, limited range, SDR,
    /// even width and height, square pixels, progressive, at most `maxFrameRate` (average and real rate).
    static func videoMisses(_ video: StreamInfo, maxFrameRate: Double) -> [String] {
        var misses: [String] = []
        if video.codec != "h264" { misses.append("video codec \(video.codec), not h264") }
        if video.codec == "h264", !h264Profiles.contains(video.profile ?? "") {
            misses.append("H.264 profile \(video.profile ?? "unknown"), not High or lower")
        }
        if video.pixelFormat != "yuv420p" { misses.append("pixel format \(video.pixelFormat ?? "unknown"), not yuv420p") }
        let width = video.width ?? 0, height = video.height ?? 0
        if width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0 { misses.append("size \(width)x\(height) is not even") }
        let picture = video.picture ?? PictureInfo()
        if !picture.hasSquarePixels { misses.append("pixel aspect \(picture.sampleAspectRatio!), not 1:1") }
        if picture.colorRange == "pc" { misses.append("full colour range, not limited") }
        if picture.isHDR { misses.append("HDR transfer \(picture.colorTransfer!), not SDR") }
        if picture.colorPrimaries == "bt2020" { misses.append("BT.2020 primaries, not BT.709") }
        if (picture.bitDepth ?? 8) != 8 { misses.append("\(picture.bitDepth!)-bit, not 8-bit") }
        if picture.isInterlaced { misses.append("interlaced (\(picture.fieldOrder!)), not progressive") }
        for (name, rate) in [("average", picture.averageFrameRate ?? video.frameRate), ("real", picture.realFrameRate)] {
            if let rate, rate > maxFrameRate + frameRateTolerance { misses.append("\(name) frame rate \(rate), over \(maxFrameRate)") }
        }
        if picture.averageFrameRate == nil && picture.realFrameRate == nil && video.frameRate == nil { misses.append("no frame rate") }
        return misses
    }

    /// What `audio` misses of the rendition's audio points: AAC-LC, 48 kHz, two channels (stereo).
    static func audioMisses(_ audio: StreamInfo) -> [String] {
        var misses: [String] = []
        if audio.codec != "aac" { misses.append("audio codec \(audio.codec), not aac") }
        if audio.codec == "aac", audio.profile != "LC" { misses.append("AAC profile \(audio.profile ?? "unknown"), not LC") }
        if audio.sampleRate != sampleRate { misses.append("audio at \(audio.sampleRate.map(String.init) ?? "unknown") Hz, not \(sampleRate)") }
        if audio.channels != channels || (audio.channelLayout.map { $0 != "stereo" } ?? false) {
            misses.append("audio layout \(audio.channelLayout ?? "\(audio.channels ?? 0) channels"), not stereo")
        }
        return misses
    }
}
