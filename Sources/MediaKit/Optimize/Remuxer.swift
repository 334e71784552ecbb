import CFFmpeg

/// The fast path: stream-copies the first video and first (AAC) audio stream into a faststart mp4, without metadata.
enum Remuxer {
    /// Writes the rendition to `outputPath`; returns whether it has audio.
    static func run(input path: String, format: ContainerFormat, source: ProbeReport, outputPath: String,
                    progress: ((Double) -> Void)?, shouldCancel: (() -> Bool)?) throws -> Bool {
        let input = try InputContext(path: path, format: format)
        guard let videoIndex = input.firstStream(of: AVMEDIA_TYPE_VIDEO) else {
            throw MediaError(.noVideoStream, "\(path) has no video stream")
        }
        let audioIndex = input.firstStream(of: AVMEDIA_TYPE_AUDIO)
        let output = try OutputContext(path: outputPath, formatName: "mp4")
        var outputStreams: [Int: UnsafeMutablePointer<AVStream>] = [:]
        for index in [videoIndex, audioIndex].compactMap({ $0 }) {
            let inputStream = input.stream(index)
            let outputStream = try output.addStream()
            try check(avcodec_parameters_copy(outputStream.pointee.codecpar, inputStream.pointee.codecpar), "avcodec_parameters_copy", .muxFailed)
            outputStream.pointee.codecpar.pointee.codec_tag = 0
            outputStream.pointee.time_base = inputStream.pointee.time_base
            outputStreams[index] = outputStream
        }
        for index in 0..<input.streamCount where outputStreams[index] == nil {
            input.stream(index).pointee.discard = AVDISCARD_ALL
        }
        try output.writeHeader()

        try DemuxLoop.run(input, videoIndex: videoIndex, source: source, progress: progress, shouldCancel: shouldCancel) { index, packet in
            guard let outputStream = outputStreams[index] else { return }
            av_packet_rescale_ts(packet.pointer, input.stream(index).pointee.time_base, outputStream.pointee.time_base)
            packet.pointer.pointee.stream_index = outputStream.pointee.index
            packet.pointer.pointee.pos = -1
            try output.write(packet.pointer)
        }
        try output.finish()
        return audioIndex != nil
    }
}
