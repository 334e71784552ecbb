import CFFmpeg

/// Owns an `AVCodecContext` (decoder or encoder), freed with `avcodec_free_context`.
final class CodecContext {
    let pointer: UnsafeMutablePointer<AVCodecContext>
    let codec: UnsafePointer<AVCodec>

    /// Allocates a context for `codec`; set fields, then `open`.
    init(codec: UnsafePointer<AVCodec>) throws {
        guard let context = avcodec_alloc_context3(codec) else {
            throw MediaError(.unsupported, "out of memory", call: "avcodec_alloc_context3")
        }
        self.codec = codec
        pointer = context
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&context)
    }

    /// Opens a decoder for `stream` with `threads` decoding threads (0: libavcodec's automatic count, cores + 1);
    /// nil when libavcodec has no decoder for it.
    static func decoder(for stream: UnsafeMutablePointer<AVStream>, threads: Int = 0) throws -> CodecContext? {
        let parameters = stream.pointee.codecpar!
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else { return nil }
        let context = try CodecContext(codec: codec)
        try check(avcodec_parameters_to_context(context.pointer, parameters), "avcodec_parameters_to_context", .decodeFailed)
        context.pointer.pointee.pkt_timebase = stream.pointee.time_base
        context.pointer.pointee.thread_count = Int32(max(0, threads))
        context.pointer.pointee.max_pixels = InputGuards.maxPixels
        try context.open()
        return context
    }

    /// Opens the codec with `options` (e.g. encoder private options).
    func open(options: [(String, String)] = []) throws {
        var dictionary: OpaquePointer? = nil
        defer { av_dict_free(&dictionary) }
        for (key, value) in options { av_dict_set(&dictionary, key, value, 0) }
        let isEncoder = av_codec_is_encoder(codec) != 0
        try check(avcodec_open2(pointer, codec, &dictionary), "avcodec_open2", isEncoder ? .encodeFailed : .decodeFailed,
                  String(cString: codec.pointee.name))
    }
}
