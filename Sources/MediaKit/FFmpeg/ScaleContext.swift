import CFFmpeg

/// Owns a `SwsContext` (freed with `sws_freeContext`), rebuilt only when the source geometry or format changes.
final class ScaleContext {
    private var context: OpaquePointer?

    /// An empty scaler; the context is made on the first `scale`.
    init() {}

    deinit { sws_freeContext(context) }

    /// Scales/converts `source` into the already allocated, writable `destination` (its size and format are the target).
    func scale(_ source: UnsafePointer<AVFrame>, into destination: UnsafeMutablePointer<AVFrame>) throws {
        context = sws_getCachedContext(
            context,
            source.pointee.width, source.pointee.height, AVPixelFormat(rawValue: source.pointee.format),
            destination.pointee.width, destination.pointee.height, AVPixelFormat(rawValue: destination.pointee.format),
            SWS_BICUBIC, nil, nil, nil)
        guard let context else {
            throw MediaError(.unsupported, "cannot convert \(source.pointee.width)x\(source.pointee.height) format \(source.pointee.format)",
                             call: "sws_getCachedContext")
        }
        try check(sws_scale_frame(context, destination, source), "sws_scale_frame", .decodeFailed)
    }
}
