/// Checks a written rendition with the project's own probe.
enum OutputVerifier {
    /// Re-probes `path` as mp4 and checks: H.264 video, AAC audio exactly when `expectAudio`, duration within 0.5 s
    /// of the source's, faststart. Returns the re-probe; throws `.verificationFailed` otherwise.
    static func verify(path: String, source: ProbeReport, expectAudio: Bool) throws -> ProbeReport {
        let output: ProbeReport
        do {
            output = try MediaProbe.probe(path: path, format: .mp4)
        } catch {
            throw MediaError(.verificationFailed, "the rendition does not probe: \(error)")
        }
        var problems: [String] = []
        if output.primaryVideo?.codec != "h264" { problems.append("video is \(output.primaryVideo?.codec ?? "missing"), not h264") }
        if expectAudio, output.primaryAudio?.codec != "aac" { problems.append("audio is \(output.primaryAudio?.codec ?? "missing"), not aac") }
        if !expectAudio, output.hasAudio { problems.append("unexpected audio") }
        if let expected = source.durationSeconds {
            if let actual = output.durationSeconds {
                if abs(actual - expected) > 0.5 { problems.append("duration \(actual) s, source \(expected) s") }
            } else {
                problems.append("no duration")
            }
        }
        if !output.isFaststart { problems.append("moov is not before mdat") }
        guard problems.isEmpty else {
            throw MediaError(.verificationFailed, problems.joined(separator: "; "))
        }
        return output
    }
}
