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

    /// The report of an already opened input.
    static func report(of input: InputContext, path: String, format: ContainerFormat) throws -> ProbeReport {
        let context = input.pointer.pointee
        let streams = (0..<input.streamCount).map { streamInfo(input.stream($0), index: $0) }
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

        var duration: Double? = nil
        if context.duration != CFFmpeg_AV_NOPTS_VALUE(), context.duration > 0 {
            duration = Double(context.duration) / Double(CFFmpeg_AV_TIME_BASE())
        } else {
            duration = streams.compactMap(\.durationSeconds).max()
        }
        let isMovFamily = format == .mp4 || format == .mov
        return ProbeReport(
            format: format,
            durationSeconds: duration,
            bitRate: context.bit_rate > 0 ? context.bit_rate : nil,
            streams: streams,
            isFaststart: isMovFamily && AtomScanner.moovBeforeMdat(path: path),
            metadataKeys: metadataKeys(context.metadata))
    }

    private static func streamInfo(_ stream: UnsafeMutablePointer<AVStream>, index: Int) -> StreamInfo {
        let parameters = stream.pointee.codecpar.pointee
        let isAttachedPicture = (stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC) != 0
        var info = StreamInfo(index: index, type: typeName(parameters.codec_type, attachedPicture: isAttachedPicture),
                              codec: String(cString: avcodec_get_name(parameters.codec_id)))
        if parameters.bit_rate > 0 { info.bitRate = parameters.bit_rate }
        if let profile = avcodec_profile_name(parameters.codec_id, parameters.profile) { info.profile = String(cString: profile) }
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
        case AVMEDIA_TYPE_AUDIO:
            if parameters.sample_rate > 0 { info.sampleRate = Int(parameters.sample_rate) }
            if parameters.ch_layout.nb_channels > 0 { info.channels = Int(parameters.ch_layout.nb_channels) }
        default:
            break
        }
        return info
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
