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
        // swscale takes the range from the pixel format only (yuvj*); a yuv420p frame flagged full range must be
        // told, or its blacks and whites are passed through unconverted (washed-out or crushed pictures).
        let sourceFull = Self.isFullRange(source), destinationFull = Self.isFullRange(destination)
        if sourceFull || destinationFull {
            let table = sws_getCoefficients(SWS_CS_DEFAULT)
            _ = sws_setColorspaceDetails(context, table, sourceFull ? 1 : 0, table, destinationFull ? 1 : 0, 0, 1 << 16, 1 << 16)
        }
        try check(sws_scale_frame(context, destination, source), "sws_scale_frame", .decodeFailed)
    }

    private static let fullRangeFormats: Set<Int32> = [AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P]
        .map(\.rawValue).reduce(into: []) { $0.insert($1) }

    private static func isFullRange(_ frame: UnsafePointer<AVFrame>) -> Bool {
        frame.pointee.color_range == AVCOL_RANGE_JPEG || fullRangeFormats.contains(frame.pointee.format)
    }
}
