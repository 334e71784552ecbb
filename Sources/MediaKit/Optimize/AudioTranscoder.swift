import CFFmpeg

/// One audio stream's path: decode → swresample to 48 kHz stereo float planar → FIFO → 1024-sample frames → AAC → muxer.
final class AudioTranscoder {
    /// The input stream index.
    let streamIndex: Int
    private let decoder: CodecContext
    private let writer: StreamEncoder
    private let fifo: AudioFIFO
    private let decoded: Frame
    private let resampled: Frame
    private let encoderFrame: Frame
    private let frameSize: Int32
    private var resampler: ResampleContext?
    private var resampledCapacity: Int32 = 0
    private var nextPts: Int64

    /// Sets up decoder and AAC encoder for stream `index` of `input`; throws `.unsupported` when no decoder exists for it
    /// (the rendition must carry the source's audio). `startSamples` places the first sample (in 1/48000 s) on the
    /// rendition's clock.
    init(input: InputContext, index: Int, output: OutputContext, settings: OptimizeSettings, startSamples: Int64) throws {
        guard let decoder = try CodecContext.decoder(for: input.stream(index)) else {
            let codec = String(cString: avcodec_get_name(input.stream(index).pointee.codecpar.pointee.codec_id))
            throw MediaError(.unsupported, "no decoder for audio codec \(codec)")
        }
        let encoder = try EncoderFactory.aac(bitRate: settings.audioBitRate, globalHeader: output.needsGlobalHeader)
        writer = try StreamEncoder(encoder: encoder, output: output, defaultDuration: 0)
        frameSize = encoder.pointer.pointee.frame_size > 0 ? encoder.pointer.pointee.frame_size : 1024
        fifo = try AudioFIFO(format: AV_SAMPLE_FMT_FLTP, channels: AudioFormat.channels)
        decoded = try Frame()
        resampled = try Frame()
        encoderFrame = try Frame()
        streamIndex = index
        self.decoder = decoder
        nextPts = max(0, startSamples)
        try Self.allocate(encoderFrame, samples: frameSize)
    }

    /// Where the audio's first sample goes, in output samples after `originSeconds` (the instant that becomes output
    /// time 0; 0 when it comes before).
    static func startSamples(of audio: UnsafeMutablePointer<AVStream>, originSeconds: Double) -> Int64 {
        guard audio.pointee.start_time != CFFmpeg_AV_NOPTS_VALUE() else { return 0 }
        let audioStart = Double(audio.pointee.start_time) * av_q2d(audio.pointee.time_base)
        return max(0, Int64(((audioStart - originSeconds) * Double(AudioFormat.sampleRate)).rounded()))
    }

    /// Decodes `packet` and encodes every whole encoder frame now available.
    func send(_ packet: UnsafeMutablePointer<AVPacket>) throws {
        try decoder.decode(packet, into: decoded) { try resample($0) }
        try drain(includingPartial: false)
    }

    /// Drains decoder, resampler, FIFO (a short last frame) and encoder.
    func finish() throws {
        try decoder.decode(nil, into: decoded) { try resample($0) }
        if let resampler {
            let flushed = try resampler.convert(nil, into: try capacity(for: resampler.outputSamplesBound(forInput: 0)), capacity: resampledCapacity)
            try fifo.write(resampled, samples: flushed)
        }
        try drain(includingPartial: true)
        try writer.send(nil)
    }

    private func resample(_ frame: UnsafeMutablePointer<AVFrame>) throws {
        let resampler = try self.resampler ?? ResampleContext(input: frame, outChannels: AudioFormat.channels,
                                                               outFormat: AV_SAMPLE_FMT_FLTP, outRate: AudioFormat.sampleRate)
        self.resampler = resampler
        let target = try capacity(for: resampler.outputSamplesBound(forInput: frame.pointee.nb_samples))
        let converted = try resampler.convert(frame, into: target, capacity: resampledCapacity)
        try fifo.write(resampled, samples: converted)
    }

    private func drain(includingPartial: Bool) throws {
        while fifo.count >= frameSize || (includingPartial && fifo.count > 0) {
            let samples = min(fifo.count, frameSize)
            encoderFrame.pointer.pointee.nb_samples = frameSize
            try encoderFrame.makeWritable()
            try fifo.read(into: encoderFrame, samples: samples)
            encoderFrame.pointer.pointee.nb_samples = samples
            encoderFrame.pointer.pointee.pts = nextPts
            nextPts += Int64(samples)
            try writer.send(encoderFrame.pointer)
        }
    }

    /// The resample buffer, grown to hold at least `samples` samples.
    private func capacity(for samples: Int32) throws -> Frame {
        if samples > resampledCapacity {
            av_frame_unref(resampled.pointer)
            resampledCapacity = max(samples, 2048)
            try Self.allocate(resampled, samples: resampledCapacity)
        }
        return resampled
    }

    private static func allocate(_ frame: Frame, samples: Int32) throws {
        frame.pointer.pointee.nb_samples = samples
        frame.pointer.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
        frame.pointer.pointee.sample_rate = AudioFormat.sampleRate
        av_channel_layout_default(&frame.pointer.pointee.ch_layout, AudioFormat.channels)
        try check(av_frame_get_buffer(frame.pointer, 0), "av_frame_get_buffer", .encodeFailed)
    }
}
