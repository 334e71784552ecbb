import CFFmpeg

/// The fast path's poster: decodes the video only until the poster time.
enum PosterGrabber {
    /// Writes the poster of `path` to `posterPath`.
    static func run(input path: String, format: ContainerFormat, source: ProbeReport, posterPath: String,
                    settings: OptimizeSettings, shouldCancel: (() -> Bool)?) throws {
        let input = try InputContext(path: path, format: format)
        guard let videoIndex = input.firstStream(of: AVMEDIA_TYPE_VIDEO) else {
            throw MediaError(.noVideoStream, "\(path) has no video stream")
        }
        for index in 0..<input.streamCount where index != videoIndex {
            input.stream(index).pointee.discard = AVDISCARD_ALL
        }
        let stream = input.stream(videoIndex)
        guard let decoder = try CodecContext.decoder(for: stream) else {
            throw MediaError(.noVideoStream, "no decoder for the video stream of \(path)")
        }
        let parameters = stream.pointee.codecpar.pointee
        let aspect = parameters.sample_aspect_ratio
        let processor = VideoFrameProcessor(codedWidth: Int(parameters.width), codedHeight: Int(parameters.height),
                                            sampleAspect: aspect.num > 0 && aspect.den > 0 ? av_q2d(aspect) : 1,
                                            rotation: DisplayRotation.degrees(of: stream) ?? 0, maxShortSide: PosterWriter.maxShortSide)
        let poster = PosterCapture(targetSeconds: PosterCapture.targetSeconds(for: source, settings: settings), path: posterPath)
        let origin = VideoTranscoder.origin(of: stream)
        let timeBase = av_q2d(stream.pointee.time_base)
        let offer: (UnsafeMutablePointer<AVFrame>) throws -> Void = { frame in
            let timestamp = frame.pointee.best_effort_timestamp
            let seconds = timestamp == CFFmpeg_AV_NOPTS_VALUE() ? 0 : Double(timestamp - origin) * timeBase
            try poster.offer(try processor.process(frame), atSeconds: seconds)
        }
        let packet = try Packet()
        let frame = try Frame()
        while !poster.isDone, input.read(into: packet) {
            defer { packet.unref() }
            try Cancellation.check(shouldCancel)
            if Int(packet.pointer.pointee.stream_index) == videoIndex {
                try decoder.decode(packet.pointer, into: frame, offer)
            }
        }
        if !poster.isDone { try decoder.decode(nil, into: frame, offer) }
        try poster.finish()
    }
}
