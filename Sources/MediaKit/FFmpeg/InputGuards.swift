import CFFmpeg

/// The limits and callbacks that keep a hostile input from reaching beyond its one local file or
/// from making the decoders allocate without bound. Every `InputContext` and every decoder uses them,
/// in the media child process and in the in-process MediaKit API alike.
public enum InputGuards {
    /// The most pixels (width × height) a decoder accepts in one frame (`AVCodecContext.max_pixels`), and the
    /// largest picture the probe accepts in a stream header: 8192 × 8192.
    public static let maxPixels: Int64 = 8192 * 8192
    /// The most streams a container may declare (`AVFormatContext.max_streams`).
    public static let maxStreams: Int32 = 16

    /// The `AVFormatContext.io_open` of every input: refuses every nested open a demuxer asks for (HLS segments,
    /// `dref` references, concat entries, image sequences…) with `AVERROR(EPERM)`. The input file itself is opened by
    /// `InputContext` before the demuxer runs, so the demuxer never needs `io_open`.
    static let refuseNestedOpen: @convention(c) (UnsafeMutablePointer<AVFormatContext>?,
                                                 UnsafeMutablePointer<UnsafeMutablePointer<AVIOContext>?>?,
                                                 UnsafePointer<CChar>?, Int32,
                                                 UnsafeMutablePointer<OpaquePointer?>?) -> Int32 = { _, pb, _, _, _ in
        pb?.pointee = nil
        return CFFmpeg_AVERROR(EPERM)
    }

    /// True when a `width` × `height` picture is within `maxPixels`.
    public static func allows(width: Int, height: Int) -> Bool {
        width > 0 && height > 0 && Int64(width) * Int64(height) <= maxPixels
    }
}
