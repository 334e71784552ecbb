import CFFmpeg

/// Reads container and stream facts with libavformat.
public enum MediaProbe {
    /// Opens `path` with only the demuxer of `format` and reports what libavformat finds.
    ///
    /// Throws `MediaError` `.openFailed` when the file cannot be read as `format`, `.noVideoStream` when no
    /// stream is video with a decoder available.
    public static func probe(path: String, format: ContainerFormat) throws -> ProbeReport {
        let input = try InputContext(path: path, format: format)
        return try report(of: input, path: path, format: format)
    }

    /// The report of a freshly opened input (which it reads to the end).
    static func report(of input: InputContext, path: String, format: ContainerFormat) throws -> ProbeReport {
        let context = input.pointer.pointee
        var streams = (0..<input.streamCount).map { streamInfo(input.stream($0), index: $0) }
        let hasDecodableVideo = (0..<input.streamCount).contains { index in
            let stream = input.stream(index)
            return streams[index].type == "video" && avcodec_find_decoder(stream.pointee.codecpar.pointee.codec_id) != nil
        }
        guard hasDecodableVideo else { throw MediaError(.noVideoStream, "\(path) has no decodable video stream") }
        // A video stream whose parameters libavformat could not read (no pixel format: e.g. its data lives in a
        // `dref`-referenced file that is never opened) cannot be decoded.
        if let unreadable = streams.first(where: { $0.type == "video" && $0.pixelFormat == nil }) {
            throw MediaError(.noVideoStream, "libavformat could not read the parameters of video stream \(unreadable.index)")
        }
        // A picture size libavformat could not read, or one over the limit (a header claiming 30000x30000), is not a
        // video stream this service reads: decoding it would fail or allocate without bound.
        if let oversized = streams.first(where: { $0.type == "video" && !InputGuards.allows(width: $0.width ?? 0, height: $0.height ?? 0) }) {
            throw MediaError(.noVideoStream, "the video stream's picture size is \(oversized.width.map(String.init) ?? "unreadable")x"
                             + "\(oversized.height.map(String.init) ?? "unreadable"); at most \(InputGuards.maxPixels) pixels per frame are read")
        }

        // The duration is the streams' own (their packets' timestamps), never the header's: `StreamSpans` reads the
        // input to its end (packets only, nothing decoded).
        let headerDuration = context.duration != CFFmpeg_AV_NOPTS_VALUE() && context.duration > 0
            ? Double(context.duration) / Double(CFFmpeg_AV_TIME_BASE()) : nil
        let spans = StreamSpans.measure(input)
        for index in streams.indices {
            if let span = spans[index] { streams[index].durationSeconds = span }
        }
        var report = ProbeReport(format: format, durationSeconds: nil, bitRate: context.bit_rate > 0 ? context.bit_rate : nil,
                                 streams: streams, isFaststart: false, metadataKeys: metadataKeys(context.metadata))
        let kept = [report.primaryVideo, report.renditionAudio].compactMap { $0 }.compactMap { spans[$0.index] }
        report.durationSeconds = kept.max() ?? headerDuration
        report.headerDurationSeconds = headerDuration
        report.isFaststart = (format == .mp4 || format == .mov) && AtomScanner.moovBeforeMdat(path: path)
        return report
    }

    private static func streamInfo(_ stream: UnsafeMutablePointer<AVStream>, index: Int) -> StreamInfo {
        let parameters = stream.pointee.codecpar.pointee
        let isAttachedPicture = (stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC) != 0
        var info = StreamInfo(index: index, type: typeName(parameters.codec_type, attachedPicture: isAttachedPicture),
                              codec: String(cString: avcodec_get_name(parameters.codec_id)))
        if parameters.bit_rate > 0 { info.bitRate = parameters.bit_rate }
        if let profile = avcodec_profile_name(parameters.codec_id, parameters.profile) { info.profile = String(cString: profile) }
        info.isDefault = (stream.pointee.disposition & AV_DISPOSITION_DEFAULT) != 0
        if stream.pointee.duration != CFFmpeg_AV_NOPTS_VALUE(), stream.pointee.duration > 0 {
            info.durationSeconds = Double(stream.pointee.duration) * av_q2d(stream.pointee.time_base)
        }
        switch parameters.codec_type {
        case AVMEDIA_TYPE_VIDEO:
            if parameters.width > 0 { info.width = Int(parameters.width) }
            if parameters.height > 0 { info.height = Int(parameters.height) }
            info.frameRate = rate(stream.pointee.avg_frame_rate) ?? rate(stream.pointee.r_frame_rate)
            info.rotationDegrees = DisplayRotation.degrees(of: stream)
            if let name = av_get_pix_fmt_name(AVPixelFormat(rawValue: parameters.format)) { info.pixelFormat = String(cString: name) }
            info.picture = picture(of: stream)
        case AVMEDIA_TYPE_AUDIO:
            if parameters.sample_rate > 0 { info.sampleRate = Int(parameters.sample_rate) }
            if parameters.ch_layout.nb_channels > 0 { info.channels = Int(parameters.ch_layout.nb_channels) }
            info.channelLayout = layoutName(parameters.ch_layout)
        default:
            break
        }
        return info
    }

    /// Pixel aspect (stream level first, then codec level), colour, bit depth, chroma subsampling, field order, frame rates.
    private static func picture(of stream: UnsafeMutablePointer<AVStream>) -> PictureInfo {
        let parameters = stream.pointee.codecpar.pointee
        var picture = PictureInfo()
        let streamAspect = stream.pointee.sample_aspect_ratio, codecAspect = parameters.sample_aspect_ratio
        if let aspect = [streamAspect, codecAspect].first(where: { $0.num > 0 && $0.den > 0 }) {
            var num: Int32 = 0, den: Int32 = 0
            av_reduce(&num, &den, Int64(aspect.num), Int64(aspect.den), Int64(Int32.max))
            picture.sampleAspectRatio = Ratio(num: Int(num), den: Int(den))
        }
        let format = AVPixelFormat(rawValue: parameters.format)
        if let descriptor = av_pix_fmt_desc_get(format) {
            picture.bitDepth = Int(descriptor.pointee.comp.0.depth)
            picture.chromaShiftX = Int(descriptor.pointee.log2_chroma_w)
            picture.chromaShiftY = Int(descriptor.pointee.log2_chroma_h)
        }
        let fullRangeFormats: Set<AVPixelFormat> = [AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P, AV_PIX_FMT_YUVJ411P]
        let range = fullRangeFormats.contains(format) ? AVCOL_RANGE_JPEG : parameters.color_range
        if range != AVCOL_RANGE_UNSPECIFIED { picture.colorRange = av_color_range_name(range).map { String(cString: $0) } }
        if parameters.color_primaries != AVCOL_PRI_UNSPECIFIED {
            picture.colorPrimaries = av_color_primaries_name(parameters.color_primaries).map { String(cString: $0) }
        }
        if parameters.color_trc != AVCOL_TRC_UNSPECIFIED { picture.colorTransfer = av_color_transfer_name(parameters.color_trc).map { String(cString: $0) } }
        if parameters.color_space != AVCOL_SPC_UNSPECIFIED { picture.colorSpace = av_color_space_name(parameters.color_space).map { String(cString: $0) } }
        switch parameters.field_order {
        case AV_FIELD_PROGRESSIVE: picture.fieldOrder = "progressive"
        case AV_FIELD_TT: picture.fieldOrder = "tt"
        case AV_FIELD_BB: picture.fieldOrder = "bb"
        case AV_FIELD_TB: picture.fieldOrder = "tb"
        case AV_FIELD_BT: picture.fieldOrder = "bt"
        default: break
        }
        picture.averageFrameRate = rate(stream.pointee.avg_frame_rate)
        picture.realFrameRate = rate(stream.pointee.r_frame_rate)
        return picture
    }

    private static func layoutName(_ layout: AVChannelLayout) -> String? {
        var copy = layout
        var buffer = [CChar](repeating: 0, count: 64)
        guard layout.nb_channels > 0, av_channel_layout_describe(&copy, &buffer, buffer.count) > 0 else { return nil }
        let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: text, as: UTF8.self)
    }

    private static func typeName(_ type: AVMediaType, attachedPicture: Bool) -> String {
        switch type {
        case AVMEDIA_TYPE_VIDEO: return attachedPicture ? "other" : "video"
        case AVMEDIA_TYPE_AUDIO: return "audio"
        case AVMEDIA_TYPE_SUBTITLE: return "subtitle"
        case AVMEDIA_TYPE_DATA: return "data"
        default: return "other"
        }
    }

    private static func rate(_ value: AVRational) -> Double? {
        value.num > 0 && value.den > 0 ? av_q2d(value) : nil
    }

    private static func metadataKeys(_ dictionary: OpaquePointer?) -> [String] {
        var keys: [String] = []
        var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
        while let next = av_dict_get(dictionary, "", entry, AV_DICT_IGNORE_SUFFIX) {
            keys.append(String(cString: next.pointee.key))
            entry = next
        }
        return keys
    }
}
