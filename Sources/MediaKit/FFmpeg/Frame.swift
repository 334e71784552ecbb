import CFFmpeg

/// Owns an `AVFrame`, freed with `av_frame_free`. Reused across decode/encode calls.
final class Frame {
    let pointer: UnsafeMutablePointer<AVFrame>

    /// An empty frame.
    init() throws {
        guard let frame = av_frame_alloc() else { throw MediaError(.decodeFailed, "out of memory", call: "av_frame_alloc") }
        pointer = frame
    }

    /// A new reference to the buffers of `other` (no pixel copy).
    init(referencing other: UnsafePointer<AVFrame>) throws {
        guard let frame = av_frame_clone(other) else { throw MediaError(.decodeFailed, "out of memory", call: "av_frame_clone") }
        pointer = frame
    }

    /// A video frame with its own buffers.
    convenience init(width: Int, height: Int, format: AVPixelFormat) throws {
        try self.init()
        pointer.pointee.width = Int32(width)
        pointer.pointee.height = Int32(height)
        pointer.pointee.format = format.rawValue
        try check(av_frame_get_buffer(pointer, 0), "av_frame_get_buffer", .decodeFailed)
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&frame)
    }

    /// Makes the buffers writable, copying only if something else still references them.
    func makeWritable() throws {
        try check(av_frame_make_writable(pointer), "av_frame_make_writable", .decodeFailed)
    }

    /// `extended_data` as the `void **` that the audio FIFO takes.
    var planes: UnsafeMutablePointer<UnsafeMutableRawPointer?> {
        UnsafeMutableRawPointer(pointer.pointee.extended_data!).assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
    }
}
