import Foundation

/// Makes the HD rendition (`video_hd.mp4`) and poster (`poster.jpg`) of a source video.
public enum Optimizer {
    /// Makes the optimized rendition and poster of `input` in `outputDirectory` (created if missing).
    ///
    /// A video that already meets every point of the uniform rendition (`RenditionPlan`) is stream-copied, its audio
    /// too when that is uniform (else the audio alone is transcoded); everything else is transcoded to H.264/AAC with
    /// square pixels, the display rotation applied, the shorter side capped, interlaced pictures deinterlaced, HDR
    /// tone-mapped to SDR BT.709, the frame rate capped and no metadata copied. Files are
    /// written under temporary names, verified by re-probing, then renamed into place.
    /// `progress` is called now and then with a fraction 0...1 of the source duration done.
    /// `shouldCancel` is polled between packets; when it returns true the work stops with `MediaError` code `.cancelled`.
    /// On any error no file of this call is left in `outputDirectory`.
    /// `source` is a probe of `input` already made (`MediaProbe.probe(path: input, format: format)`, as the
    /// check makes it); without it the input is probed here.
    public static func optimize(input: String, format: ContainerFormat, outputDirectory: String, settings: OptimizeSettings,
                                source probed: ProbeReport? = nil,
                                progress: ((Double) -> Void)? = nil, shouldCancel: (() -> Bool)? = nil) throws -> OptimizeResult {
        FFmpegLog.configure()
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw MediaError(.io, "cannot create \(outputDirectory): \(error)")
        }
        let source = try probed ?? MediaProbe.probe(path: input, format: format)
        let plan = RenditionPlan(source: source, settings: settings)
        let useFastPath = plan.copyVideo
        let directory = URL(fileURLWithPath: outputDirectory)
        let videoPath = directory.appendingPathComponent("video_hd.mp4").path
        let posterPath = directory.appendingPathComponent("poster.jpg").path
        let temporaryVideo = directory.appendingPathComponent(".video_hd.mp4.tmp").path
        let temporaryPoster = directory.appendingPathComponent(".poster.jpg.tmp").path
        do {
            let hasAudio: Bool
            if useFastPath {
                // The poster is decoded on its own thread while the remux copies packets; both are always waited for.
                let poster = try BackgroundWork(name: "media-poster") {
                    try PosterGrabber.run(input: input, format: format, source: source, posterPath: temporaryPoster,
                                          settings: settings, shouldCancel: shouldCancel)
                }
                let remuxed = Result {
                    try Remuxer.run(input: input, format: format, source: source, plan: plan, outputPath: temporaryVideo,
                                    settings: settings, progress: progress, shouldCancel: shouldCancel)
                }
                let posterOutcome = Result { try poster.wait() }
                hasAudio = try remuxed.get()
                try posterOutcome.get()
            } else {
                hasAudio = try Transcoder.run(input: input, format: format, source: source, outputPath: temporaryVideo,
                                              posterPath: temporaryPoster, settings: settings,
                                              progress: progress, shouldCancel: shouldCancel)
            }
            let output = try OutputVerifier.verify(path: temporaryVideo, source: source, expectAudio: hasAudio, settings: settings)
            try moveIntoPlace(temporaryPoster, to: posterPath)
            do {
                try moveIntoPlace(temporaryVideo, to: videoPath)
            } catch {
                unlink(posterPath)
                throw error
            }
            progress?(1)
            return OptimizeResult(videoPath: videoPath, posterPath: posterPath, usedFastPath: useFastPath, output: output)
        } catch {
            unlink(temporaryVideo)
            unlink(temporaryPoster)
            throw error
        }
    }

    private static func moveIntoPlace(_ temporary: String, to final: String) throws {
        if rename(temporary, final) != 0 {
            throw MediaError(.io, "cannot rename \(temporary) to \(final): \(String(cString: strerror(errno)))", call: "rename")
        }
    }
}
