import CFFmpeg

/// One video stream's path: decode → frame-rate gate (on the caller's thread), then, on the pipeline's own thread,
/// scale + rotate → poster capture → libx264 → muxer.
final class VideoTranscoder {
    /// The input stream index.
    let streamIndex: Int
    private let decoder: CodecContext
    private let processor: VideoFrameProcessor
    private var gate: FrameRateGate
    private let writer: StreamEncoder
    private let poster: PosterCapture
    private let decoded: Frame
    private var pipeline: FramePipeline?
    /// Frames sent to the encoder so far (read it after `finish`).
    private(set) var framesEncoded = 0

    /// Sets up decoder and encoder for stream `index` of `input`, adding the output stream to `output`.
    init(input: InputContext, index: Int, output: OutputContext, settings: OptimizeSettings, poster: PosterCapture) throws {
        let stream = input.stream(index)
        guard let decoder = try CodecContext.decoder(for: stream) else {
            throw MediaError(.noVideoStream, "no decoder for video codec \(String(cString: avcodec_get_name(stream.pointee.codecpar.pointee.codec_id)))")
        }
        let parameters = stream.pointee.codecpar.pointee
        processor = VideoFrameProcessor(codedWidth: Int(parameters.width), codedHeight: Int(parameters.height),
                                        rotation: DisplayRotation.degrees(of: stream) ?? 0, maxShortSide: settings.maxHeight)
        let averageRate = stream.pointee.avg_frame_rate
        let rate = averageRate.num > 0 && averageRate.den > 0 ? averageRate : stream.pointee.r_frame_rate
        gate = FrameRateGate(sourceRate: rate, maxFrameRate: settings.maxFrameRate, sourceTimeBase: stream.pointee.time_base,
                             origin: Self.origin(of: stream))
        let encoder = try EncoderFactory.h264(width: processor.width, height: processor.height, frameRate: gate.frameRate,
                                              settings: settings, globalHeader: output.needsGlobalHeader)
        writer = try StreamEncoder(encoder: encoder, output: output, defaultDuration: 1)
        streamIndex = index
        self.decoder = decoder
        self.poster = poster
        decoded = try Frame()
        if FramePipeline.isEnabled {
            pipeline = FramePipeline { [unowned self] frame, pts in try self.encode(frame, pts: pts) }
        }
    }

    deinit { pipeline?.abandon() }

    /// The timestamp that becomes output time 0: the stream's start time, or 0 when unknown.
    static func origin(of stream: UnsafeMutablePointer<AVStream>) -> Int64 {
        stream.pointee.start_time == CFFmpeg_AV_NOPTS_VALUE() ? 0 : stream.pointee.start_time
    }

    /// Decodes `packet` and encodes the frames it yields.
    func send(_ packet: UnsafeMutablePointer<AVPacket>) throws {
        try decoder.decode(packet, into: decoded) { try handle($0) }
    }

    /// Drains decoder, pipeline and encoder and makes sure the poster is written.
    func finish() throws {
        try decoder.decode(nil, into: decoded) { try handle($0) }
        try pipeline?.finish()
        pipeline = nil
        guard framesEncoded > 0 else { throw MediaError(.decodeFailed, "no video frame could be decoded") }
        try writer.send(nil)
        try poster.finish()
    }

    /// Stops the encode thread without draining it (error paths); the transcoder must not be used afterwards.
    func abandon() {
        pipeline?.abandon()
        pipeline = nil
    }

    /// On the decode thread: the gate, then a reference to the frame goes to the encode thread.
    private func handle(_ frame: UnsafeMutablePointer<AVFrame>) throws {
        guard let pts = gate.admit(frame.pointee.best_effort_timestamp) else { return }
        if let pipeline {
            try pipeline.put(frame, pts: pts)
        } else {
            try encode(frame, pts: pts)
        }
    }

    /// On the encode thread: scale and rotate, offer to the poster, encode.
    private func encode(_ frame: UnsafeMutablePointer<AVFrame>, pts: Int64) throws {
        let upright = try processor.process(frame)
        try poster.offer(upright, atSeconds: gate.seconds(of: pts))
        upright.pointee.pts = pts
        upright.pointee.pict_type = AV_PICTURE_TYPE_NONE // let x264 place keyframes, not the source's I-frames
        try writer.send(upright)
        framesEncoded += 1
    }
}
