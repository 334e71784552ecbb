import CFFmpeg

/// The transcode path: one demux pass feeding the video (and first audio) transcoders, poster taken on the way.
enum Transcoder {
    /// Writes the rendition to `outputPath` and the poster to `posterPath`; returns whether the rendition has audio.
    static func run(input path: String, format: ContainerFormat, source: ProbeReport, outputPath: String, posterPath: String,
                    settings: OptimizeSettings, progress: ((Double) -> Void)?, shouldCancel: (() -> Bool)?) throws -> Bool {
        let input = try InputContext(path: path, format: format)
        guard let videoIndex = input.firstStream(of: AVMEDIA_TYPE_VIDEO) else {
            throw MediaError(.noVideoStream, "\(path) has no video stream")
        }
        let output = try OutputContext(path: outputPath, formatName: "mp4")
        let poster = PosterCapture(targetSeconds: PosterCapture.targetSeconds(for: source, settings: settings), path: posterPath)
        let video = try VideoTranscoder(input: input, index: videoIndex, output: output, settings: settings, poster: poster)
        // The encode thread must be stopped before the contexts it uses go away, whatever happens here.
        defer { video.abandon() }
        let videoStream = input.stream(videoIndex)
        var audio: AudioTranscoder? = nil
        if let audioIndex = input.firstStream(of: AVMEDIA_TYPE_AUDIO) {
            audio = try AudioTranscoder(input: input, index: audioIndex, output: output, settings: settings,
                                        startSamples: audioDelay(input.stream(audioIndex), after: videoStream))
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
        try audio?.finish()
        try output.finish()
        return audio != nil
    }

    /// How much later than the video the audio starts, in output samples (0 when it starts first).
    private static func audioDelay(_ audio: UnsafeMutablePointer<AVStream>, after video: UnsafeMutablePointer<AVStream>) -> Int64 {
        guard audio.pointee.start_time != CFFmpeg_AV_NOPTS_VALUE() else { return 0 }
        let audioStart = Double(audio.pointee.start_time) * av_q2d(audio.pointee.time_base)
        let videoStart = Double(VideoTranscoder.origin(of: video)) * av_q2d(video.pointee.time_base)
        return max(0, Int64(((audioStart - videoStart) * Double(AudioFormat.sampleRate)).rounded()))
    }
}
