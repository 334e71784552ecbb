import CFFmpeg
import Foundation

/// Owns a muxer and its output file (`avformat_alloc_output_context2` + `avio_open`); `deinit` closes and frees both.
final class OutputContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    /// Serializes `write`: video packets come from the encode thread, audio packets from the demux thread.
    private let writeLock = NSLock()

    /// Makes a muxer of `formatName` writing to `path` (the format is explicit, so any file name works).
    init(path: String, formatName: String) throws {
        FFmpegLog.configure()
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        try check(avformat_alloc_output_context2(&context, nil, formatName, path), "avformat_alloc_output_context2", .muxFailed)
        guard let allocated = context else { throw MediaError(.muxFailed, "no context", call: "avformat_alloc_output_context2") }
        if (allocated.pointee.oformat.pointee.flags & AVFMT_NOFILE) == 0 {
            let opened = avio_open(&allocated.pointee.pb, path, AVIO_FLAG_WRITE)
            if opened < 0 {
                avformat_free_context(allocated)
                try check(opened, "avio_open", .io, path)
            }
        }
        pointer = allocated
    }

    deinit {
        if pointer.pointee.pb != nil { avio_closep(&pointer.pointee.pb) }
        avformat_free_context(pointer)
    }

    /// True when encoders must put their headers in extradata (`AV_CODEC_FLAG_GLOBAL_HEADER`).
    var needsGlobalHeader: Bool { (pointer.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER) != 0 }

    /// Adds a stream; its metadata stays empty.
    func addStream() throws -> UnsafeMutablePointer<AVStream> {
        guard let stream = avformat_new_stream(pointer, nil) else {
            throw MediaError(.muxFailed, "cannot add stream", call: "avformat_new_stream")
        }
        return stream
    }

    /// Writes the header with `movflags=+faststart`.
    func writeHeader() throws {
        var options: OpaquePointer? = nil
        defer { av_dict_free(&options) }
        av_dict_set(&options, "movflags", "+faststart", 0)
        try check(avformat_write_header(pointer, &options), "avformat_write_header", .muxFailed)
    }

    /// Writes `packet` (timestamps already in its stream's time base); the muxer takes its reference.
    func write(_ packet: UnsafeMutablePointer<AVPacket>) throws {
        writeLock.lock()
        defer { writeLock.unlock() }
        try check(av_interleaved_write_frame(pointer, packet), "av_interleaved_write_frame", .muxFailed)
    }

    /// Writes the trailer (the faststart rewrite happens here) and closes the file.
    func finish() throws {
        try check(av_write_trailer(pointer), "av_write_trailer", .muxFailed)
        try check(avio_closep(&pointer.pointee.pb), "avio_closep", .io)
    }
}
