import CFFmpeg

/// The fast path: stream-copies the first video (and the rendition audio, when it is uniform too) into a faststart
/// mp4, without metadata. Audio that misses a point (44.1 kHz, mono, 5.1, HE-AAC…) is transcoded beside the
/// copied video (`RenditionPlan`).
enum Remuxer {
    /// Writes the rendition to `outputPath`; returns whether it has audio.
    static func run(input path: String, format: ContainerFormat, source: ProbeReport, plan: RenditionPlan, outputPath: String,
                    settings: OptimizeSettings, progress: ((Double) -> Void)?, shouldCancel: (() -> Bool)?) throws -> Bool {
        let input = try InputContext(path: path, format: format)
        guard let videoIndex = source.primaryVideo?.index else {
            throw MediaError(.noVideoStream, "\(path) has no video stream")
        }
        let audioIndex = source.renditionAudio?.index
        let output = try OutputContext(path: outputPath, formatName: "mp4")
        var outputStreams: [Int: UnsafeMutablePointer<AVStream>] = [:]
        for index in [videoIndex, plan.copyAudio ? audioIndex : nil].compactMap({ $0 }) {
            let inputStream = input.stream(index)
            let outputStream = try output.addStream()
            try check(avcodec_parameters_copy(outputStream.pointee.codecpar, inputStream.pointee.codecpar), "avcodec_parameters_copy", .muxFailed)
            outputStream.pointee.codecpar.pointee.codec_tag = 0
            outputStream.pointee.time_base = inputStream.pointee.time_base
            outputStreams[index] = outputStream
        }
        // The copied video keeps its own timestamps, so transcoded audio is placed on the same, absolute clock.
        var audio: AudioTranscoder? = nil
        if let audioIndex, !plan.copyAudio {
            audio = try AudioTranscoder(input: input, index: audioIndex, output: output, settings: settings,
                                        startSamples: AudioTranscoder.startSamples(of: input.stream(audioIndex), originSeconds: 0))
        }
        for index in 0..<input.streamCount where outputStreams[index] == nil && index != audio?.streamIndex {
            input.stream(index).pointee.discard = AVDISCARD_ALL
        }
        try output.writeHeader()

        try DemuxLoop.run(input, videoIndex: videoIndex, source: source, progress: progress, shouldCancel: shouldCancel) { index, packet in
            if let audio, index == audio.streamIndex { return try audio.send(packet.pointer) }
            guard let outputStream = outputStreams[index] else { return }
            av_packet_rescale_ts(packet.pointer, input.stream(index).pointee.time_base, outputStream.pointee.time_base)
            packet.pointer.pointee.stream_index = outputStream.pointee.index
            packet.pointer.pointee.pos = -1
            try output.write(packet.pointer)
        }
        try audio?.finish()
        try output.finish()
        return audioIndex != nil
    }
}
