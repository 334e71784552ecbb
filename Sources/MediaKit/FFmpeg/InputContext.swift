import CFFmpeg

/// Owns an opened demuxer (`avformat_open_input` + `avformat_find_stream_info`), closed in `deinit`.
final class InputContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    /// The input file's I/O context, opened here (not by the demuxer) and closed in `deinit`.
    private let io: UnsafeMutablePointer<AVIOContext>

    /// Opens `path` with only the demuxer of `format`, local files only, and reads the stream parameters.
    ///
    /// The file is opened here with the `file` protocol only; the demuxer gets it as custom I/O and its `io_open` refuses
    /// every nested open (`InputGuards`), so nothing but this one file is ever read.
    init(path: String, format: ContainerFormat) throws {
        FFmpegLog.configure()
        let demuxer = format.shortDemuxerName
        guard let inputFormat = av_find_input_format(demuxer) else {
            throw MediaError(.unsupported, "libavformat has no \(demuxer) demuxer", call: "av_find_input_format")
        }
        var ioOptions: OpaquePointer? = nil
        defer { av_dict_free(&ioOptions) }
        av_dict_set(&ioOptions, "protocol_whitelist", "file", 0)
        var openedIO: UnsafeMutablePointer<AVIOContext>? = nil
        try check(avio_open2(&openedIO, "file:" + path, AVIO_FLAG_READ, nil, &ioOptions), "avio_open2", .openFailed, path)
        guard let io = openedIO else { throw MediaError(.openFailed, path, call: "avio_open2") }
        guard let allocated = avformat_alloc_context() else {
            avio_closep(&openedIO)
            throw MediaError(.openFailed, "out of memory", call: "avformat_alloc_context")
        }
        allocated.pointee.pb = io
        allocated.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        allocated.pointee.io_open = InputGuards.refuseNestedOpen
        allocated.pointee.max_streams = InputGuards.maxStreams
        allocated.pointee.probesize = 5_000_000
        allocated.pointee.max_analyze_duration = 5 * Int64(CFFmpeg_AV_TIME_BASE())

        var options: OpaquePointer? = nil
        defer { av_dict_free(&options) }
        av_dict_set(&options, "format_whitelist", demuxer, 0)
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        av_dict_set(&options, "max_streams", "\(InputGuards.maxStreams)", 0)
        av_dict_set(&options, "probesize", "5000000", 0)
        av_dict_set(&options, "analyzeduration", "5000000", 0)
        if demuxer == "mov" {
            av_dict_set(&options, "enable_drefs", "0", 0)
            av_dict_set(&options, "use_absolute_path", "0", 0)
        }

        // On failure avformat_open_input frees the context it was given, but not custom I/O.
        var context: UnsafeMutablePointer<AVFormatContext>? = allocated
        let ret = avformat_open_input(&context, path, inputFormat, &options)
        guard ret >= 0, let opened = context else {
            avio_closep(&openedIO)
            try check(min(ret, -1), "avformat_open_input", .openFailed, path)
            throw MediaError(.openFailed, path, call: "avformat_open_input")
        }
        let found = Self.findStreamInfo(opened)
        if found < 0 {
            avformat_close_input(&context)
            avio_closep(&openedIO)
            try check(found, "avformat_find_stream_info", .openFailed, path)
        }
        pointer = opened
        self.io = io
    }

    deinit {
        var context: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&context)
        var io: UnsafeMutablePointer<AVIOContext>? = self.io
        avio_closep(&io)
    }

    /// `avformat_find_stream_info` with `max_pixels` set on the decoders it opens to read the parameters.
    private static func findStreamInfo(_ context: UnsafeMutablePointer<AVFormatContext>) -> Int32 {
        let count = Int(context.pointee.nb_streams)
        var perStream = [OpaquePointer?](repeating: nil, count: count)
        for index in 0..<count { av_dict_set(&perStream[index], "max_pixels", "\(InputGuards.maxPixels)", 0) }
        defer { for index in 0..<count { av_dict_free(&perStream[index]) } }
        return perStream.withUnsafeMutableBufferPointer { avformat_find_stream_info(context, $0.baseAddress) }
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
