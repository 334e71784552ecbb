import CFFmpeg

/// Owns an opened demuxer (`avformat_open_input` + `avformat_find_stream_info`), closed in `deinit`.
final class InputContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>

    /// Opens `path` with only the demuxer of `format`, local files only, and reads the stream parameters.
    init(path: String, format: ContainerFormat) throws {
        FFmpegLog.configure()
        let demuxer = format.shortDemuxerName
        guard let inputFormat = av_find_input_format(demuxer) else {
            throw MediaError(.unsupported, "libavformat has no \(demuxer) demuxer", call: "av_find_input_format")
        }
        guard let allocated = avformat_alloc_context() else {
            throw MediaError(.openFailed, "out of memory", call: "avformat_alloc_context")
        }
        allocated.pointee.max_streams = 16
        allocated.pointee.probesize = 5_000_000
        allocated.pointee.max_analyze_duration = 5 * Int64(CFFmpeg_AV_TIME_BASE())

        var options: OpaquePointer? = nil
        defer { av_dict_free(&options) }
        av_dict_set(&options, "format_whitelist", demuxer, 0)
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        av_dict_set(&options, "max_streams", "16", 0)
        av_dict_set(&options, "probesize", "5000000", 0)
        av_dict_set(&options, "analyzeduration", "5000000", 0)
        if demuxer == "mov" {
            av_dict_set(&options, "enable_drefs", "0", 0)
            av_dict_set(&options, "use_absolute_path", "0", 0)
        }

        // On failure avformat_open_input frees the context it was given.
        var context: UnsafeMutablePointer<AVFormatContext>? = allocated
        try check(avformat_open_input(&context, path, inputFormat, &options), "avformat_open_input", .openFailed, path)
        guard let opened = context else { throw MediaError(.openFailed, path, call: "avformat_open_input") }
        let found = avformat_find_stream_info(opened, nil)
        if found < 0 {
            avformat_close_input(&context)
            try check(found, "avformat_find_stream_info", .openFailed, path)
        }
        pointer = opened
    }

    deinit {
        var context: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&context)
    }

    /// The number of streams.
    var streamCount: Int { Int(pointer.pointee.nb_streams) }

    /// The stream at `index`.
    func stream(_ index: Int) -> UnsafeMutablePointer<AVStream> { pointer.pointee.streams[index]! }

    /// The first stream of `type` that is not an attached picture, if any.
    func firstStream(of type: AVMediaType) -> Int? {
        (0..<streamCount).first { index in
            let stream = self.stream(index)
            return stream.pointee.codecpar.pointee.codec_type == type
                && (stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC) == 0
        }
    }

    /// Reads the next packet into `packet`; false at end of input (read errors also end the input).
    func read(into packet: Packet) -> Bool {
        av_read_frame(pointer, packet.pointer) >= 0
    }
}
