import CFFmpeg

/// Configures and opens the encoders of the rendition and the poster.
enum EncoderFactory {
    /// libx264, yuv420p, profile high, `crf`/`preset` from `settings`, ~2 s GOP.
    /// The stream carries `colors` (BT.709 or the source's own SDR tags, always limited range).
    static func h264(width: Int, height: Int, frameRate: AVRational, colors: ColorTags, settings: OptimizeSettings,
                     globalHeader: Bool) throws -> CodecContext {
        guard let codec = avcodec_find_encoder_by_name("libx264") else {
            throw MediaError(.unsupported, "libavcodec has no libx264 encoder", call: "avcodec_find_encoder_by_name")
        }
        let encoder = try CodecContext(codec: codec)
        let context = encoder.pointer
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        context.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        context.pointee.color_primaries = colors.primaries
        context.pointee.color_trc = colors.transfer
        context.pointee.colorspace = colors.space
        context.pointee.color_range = colors.range
        context.pointee.time_base = av_inv_q(frameRate)
        context.pointee.framerate = frameRate
        context.pointee.gop_size = Int32(max(1, (2 * av_q2d(frameRate)).rounded()))
        context.pointee.thread_count = Int32(max(0, settings.x264Threads))
        if globalHeader { context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        try encoder.open(options: [("crf", String(settings.crf)), ("preset", settings.preset), ("profile", "high")])
        return encoder
    }

    /// The native `aac` encoder: AAC-LC, stereo, 48 kHz, float planar.
    static func aac(bitRate: Int, globalHeader: Bool) throws -> CodecContext {
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_AAC) else {
            throw MediaError(.unsupported, "libavcodec has no AAC encoder", call: "avcodec_find_encoder")
        }
        let encoder = try CodecContext(codec: codec)
        let context = encoder.pointer
        context.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        context.pointee.sample_rate = AudioFormat.sampleRate
        av_channel_layout_default(&context.pointee.ch_layout, AudioFormat.channels)
        context.pointee.bit_rate = Int64(bitRate)
        context.pointee.time_base = AVRational(num: 1, den: AudioFormat.sampleRate)
        if globalHeader { context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        try encoder.open()
        return encoder
    }

    /// The `mjpeg` encoder for a full-range yuvj420p picture at a fixed good quality.
    static func jpeg(width: Int, height: Int) throws -> CodecContext {
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG) else {
            throw MediaError(.unsupported, "libavcodec has no MJPEG encoder", call: "avcodec_find_encoder")
        }
        let encoder = try CodecContext(codec: codec)
        let context = encoder.pointer
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
        context.pointee.color_range = AVCOL_RANGE_JPEG
        context.pointee.time_base = AVRational(num: 1, den: 25)
        context.pointee.flags |= AV_CODEC_FLAG_QSCALE
        context.pointee.global_quality = 3 * FF_QP2LAMBDA
        try encoder.open()
        return encoder
    }
}

/// The audio format of the rendition.
enum AudioFormat {
    /// 48 kHz.
    static let sampleRate: Int32 = 48_000
    /// Stereo.
    static let channels: Int32 = 2
}
