import CFFmpeg

/// The transcode path: one demux pass feeding the video (and rendition audio) transcoders, poster taken on the way.
enum Transcoder {
    /// Writes the rendition to `outputPath` and the poster to `posterPath`; returns whether the rendition has audio.
    static func run(input path: String, format: ContainerFormat, source: ProbeReport, outputPath: String, posterPath: String,
                    settings: OptimizeSettings, progress: ((Double) -> Void)?, shouldCancel: (() -> Bool)?) throws -> Bool {
        let input = try InputContext(path: path, format: format)
        guard let videoInfo = source.primaryVideo else { throw MediaError(.noVideoStream, "\(path) has no video stream") }
        let videoIndex = videoInfo.index
        let output = try OutputContext(path: outputPath, formatName: "mp4")
        let poster = PosterCapture(targetSeconds: PosterCapture.targetSeconds(for: source, settings: settings), path: posterPath)
        let video = try VideoTranscoder(input: input, index: videoIndex, picture: videoInfo.picture ?? PictureInfo(), output: output,
                                        settings: settings, poster: poster)
        // The encode thread must be stopped before the contexts it uses go away, whatever happens here.
        defer { video.abandon() }
        let videoStream = input.stream(videoIndex)
        var audio: AudioTranscoder? = nil
        if let audioIndex = source.renditionAudio?.index {
            let origin = Double(VideoTranscoder.origin(of: videoStream)) * av_q2d(videoStream.pointee.time_base)
            audio = try AudioTranscoder(input: input, index: audioIndex, output: output, settings: settings,
                                        startSamples: AudioTranscoder.startSamples(of: input.stream(audioIndex), originSeconds: origin))
        }
        for index in 0..<input.streamCount where index != videoIndex && index != audio?.streamIndex {
            input.stream(index).pointee.discard = AVDISCARD_ALL
        }
        try output.writeHeader()

        try DemuxLoop.run(input, videoIndex: videoIndex, source: source, progress: progress, shouldCancel: shouldCancel) { index, packet in
            if index == videoIndex {
                try video.send(packet.pointer)
            } else if let audio, index == audio.streamIndex {
                try audio.send(packet.pointer)
            }
        }
        try video.finish()
        // Packets whose pictures do not decode (corrupt data under a valid index) shorten the picture: that is the
        // source's fault (`decodeFailed`, optimization.failed), caught here before the verifier calls it ours.
        if let expected = source.durationSeconds, expected - video.encodedSeconds > OutputVerifier.durationTolerance {
            throw MediaError(.decodeFailed, String(format: "only %.2f s of the source's %.2f s of video could be decoded",
                                                   video.encodedSeconds, expected))
        }
        try audio?.finish()
        try output.finish()
        return audio != nil
    }

}
