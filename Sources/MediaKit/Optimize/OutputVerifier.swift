/// Checks a written rendition with the project's own probe against every point of the uniform rendition (CONTRACT
/// section 4), on every job, before it is published. A miss is the worker's own fault (the optimizer produced what it
/// must not), never the seller's: the caller maps `.verificationFailed` to a retried worker fault.
enum OutputVerifier {
    /// Displayed aspect ratios may differ by this fraction (even sizes round the picture).
    static let aspectTolerance = 0.01
    /// Durations may differ by this many seconds.
    static let durationTolerance = 0.5

    /// Re-probes `path` as mp4 and checks: one H.264 video stream (High or lower, 8-bit yuv420p, limited range, SDR,
    /// progressive, even size, square pixels, upright, at most `settings.maxFrameRate`), its displayed aspect within 1 %
    /// of the source's after rotation; one AAC-LC 48 kHz stereo track exactly when the source has audio (`expectAudio`),
    /// none otherwise; the duration within 0.5 s of the source's; `moov` before `mdat`.
    /// Returns the re-probe; throws `.verificationFailed` listing every miss otherwise.
    static func verify(path: String, source: ProbeReport, expectAudio: Bool, settings: OptimizeSettings) throws -> ProbeReport {
        let output: ProbeReport
        do {
            output = try MediaProbe.probe(path: path, format: .mp4)
        } catch {
            throw MediaError(.verificationFailed, "the rendition does not probe: \(error)")
        }
        var problems: [String] = []
        let videos = output.streams.filter { $0.type == "video" }, audios = output.streams.filter { $0.type == "audio" }
        if videos.count != 1 { problems.append("\(videos.count) video streams, not 1") }
        if let video = videos.first {
            problems += UniformRendition.videoMisses(video, maxFrameRate: settings.maxFrameRate)
            if (video.rotationDegrees ?? 0) != 0 { problems.append("rotation \(video.rotationDegrees!)° left to the player") }
            if let expected = source.primaryVideo?.displayAspectRatio, let actual = video.displayAspectRatio,
               abs(actual / expected - 1) > aspectTolerance {
                problems.append(String(format: "displayed aspect %.4f, source %.4f", actual, expected))
            }
        }
        let sourceHasAudio = expectAudio || source.renditionAudio != nil
        if audios.count != (sourceHasAudio ? 1 : 0) {
            problems.append("\(audios.count) audio tracks, expected \(sourceHasAudio ? 1 : 0)")
        }
        if let audio = audios.first { problems += UniformRendition.audioMisses(audio) }
        if let expected = source.durationSeconds {
            if let actual = output.durationSeconds {
                if abs(actual - expected) > durationTolerance { problems.append("duration \(actual) s, source \(expected) s") }
            } else {
                problems.append("no duration")
            }
        }
        if !output.isFaststart { problems.append("moov is not before mdat") }
        guard problems.isEmpty else {
            throw MediaError(.verificationFailed, "the rendition misses the uniform rendition: " + problems.joined(separator: "; "))
        }
        return output
    }
}
