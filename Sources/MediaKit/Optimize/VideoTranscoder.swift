import CFFmpeg
import Foundation

/// One video stream's path: decode → frame-rate gate (on the caller's thread), then, on the pipeline's own thread,
/// the filter graph when the picture needs one (deinterlace, HDR tone-map: `VideoFilters`) → scale to square pixels +
/// rotate → poster capture → libx264 → muxer.
final class VideoTranscoder {
    /// The input stream index.
    let streamIndex: Int
    private let decoder: CodecContext
    private let processor: VideoFrameProcessor
    private var gate: FrameRateGate
    private let writer: StreamEncoder
    private let poster: PosterCapture
    private let decoded: Frame
    private let filters: FilterGraph?
    private var pipeline: FramePipeline?
    /// Frames sent to the encoder so far (read it after `finish`).
    private(set) var framesEncoded = 0
    /// The output time (seconds) at which the last encoded frame ends (read it after `finish`).
    private(set) var encodedSeconds = 0.0

    /// Sets up decoder and encoder for stream `index` of `input` (whose probed picture facts are `picture`), adding the
    /// output stream to `output`.
    init(input: InputContext, index: Int, picture: PictureInfo, output: OutputContext, settings: OptimizeSettings,
         poster: PosterCapture) throws {
        let stream = input.stream(index)
        guard let decoder = try CodecContext.decoder(for: stream, threads: Self.decoderThreads) else {
            throw MediaError(.noVideoStream, "no decoder for video codec \(String(cString: avcodec_get_name(stream.pointee.codecpar.pointee.codec_id)))")
        }
        let parameters = stream.pointee.codecpar.pointee
        processor = VideoFrameProcessor(codedWidth: Int(parameters.width), codedHeight: Int(parameters.height),
                                        sampleAspect: picture.sampleAspectRatio?.value ?? 1,
                                        rotation: DisplayRotation.degrees(of: stream) ?? 0, maxShortSide: settings.maxHeight)
        gate = FrameRateGate(sourceRate: Self.tickRate(of: stream, maxFrameRate: settings.maxFrameRate), maxFrameRate: settings.maxFrameRate,
                             sourceTimeBase: stream.pointee.time_base, origin: Self.origin(of: stream))
        // Frames enter the graph already stamped with the gate's output pts.
        if let description = VideoFilters.description(for: picture, width: processor.scaledSize.width, height: processor.scaledSize.height) {
            filters = try FilterGraph(description: description, width: Int(parameters.width), height: Int(parameters.height),
                                      format: AVPixelFormat(rawValue: parameters.format), timeBase: gate.timeBase,
                                      sampleAspect: parameters.sample_aspect_ratio)
        } else {
            filters = nil
        }
        let encoder = try EncoderFactory.h264(width: processor.width, height: processor.height, frameRate: gate.frameRate,
                                              colors: VideoFilters.outputTags(for: parameters, picture: picture),
                                              settings: settings, globalHeader: output.needsGlobalHeader)
        writer = try StreamEncoder(encoder: encoder, output: output, defaultDuration: 1)
        streamIndex = index
        self.decoder = decoder
        self.poster = poster
        decoded = try Frame()
        if FramePipeline.isEnabled {
            pipeline = try FramePipeline(capacity: Self.decoderThreads) { [unowned self] frame, pts in try self.encode(frame, pts: pts) }
        }
    }

    /// Decoding threads for the transcode: about a third of the cores, at least one. Decoding is ~28 % of a
    /// 1080p transcode's CPU and runs beside the encode thread (`FramePipeline`), so on 2 cores one thread (decoding
    /// on the demux thread itself) keeps the encoder fed. libavcodec's automatic count (cores + 1 frame threads)
    /// keeps a frame context and a delayed picture per thread: on 2 cores its 3 threads cost ~9 MB more RSS per
    /// child, ~2 % more CPU (frame-thread hand-offs) and were no faster in interleaved runs.
    static let decoderThreads = max(1, ProcessInfo.processInfo.activeProcessorCount / 3)

    /// The output clock of the gate: the average rate of a constant-rate source; for a variable-rate source (real rate
    /// more than 1 % above the average) the cap, so every frame keeps its own time to within half a 1/cap tick and
    /// audio stays in sync.
    private static func tickRate(of stream: UnsafeMutablePointer<AVStream>, maxFrameRate: Double) -> AVRational {
        let average = stream.pointee.avg_frame_rate, real = stream.pointee.r_frame_rate
        guard average.num > 0, average.den > 0 else { return real }
        if real.num > 0, real.den > 0, av_q2d(real) > av_q2d(average) * 1.01 { return av_d2q(maxFrameRate, 100_000) }
        return average
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
        // The encode thread has stopped: the frames the filter graph still holds (bwdif keeps one) are encoded here.
        if let filters {
            try filters.push(nil)
            try filters.drain { try encodeUpright($0, pts: $0.pointee.pts) }
        }
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

    /// On the encode thread: the filter graph (if any; frames come out with the pts given here), then `encodeUpright`.
    private func encode(_ frame: UnsafeMutablePointer<AVFrame>, pts: Int64) throws {
        guard let filters else { return try encodeUpright(frame, pts: pts) }
        frame.pointee.pts = pts
        try filters.push(frame)
        try filters.drain { try encodeUpright($0, pts: $0.pointee.pts) }
    }

    /// Scale and rotate, offer to the poster, encode.
    private func encodeUpright(_ frame: UnsafeMutablePointer<AVFrame>, pts: Int64) throws {
        let upright = try processor.process(frame)
        try poster.offer(upright, atSeconds: gate.seconds(of: pts))
        upright.pointee.pts = pts
        upright.pointee.pict_type = AV_PICTURE_TYPE_NONE // let x264 place keyframes, not the source's I-frames
        try writer.send(upright)
        framesEncoded += 1
        encodedSeconds = max(encodedSeconds, gate.seconds(of: pts + 1))
    }
}
