import CFFmpeg

/// Turns decoded frames into upright, square-pixel, limited-range yuv420p frames of the rendition size: swscale
/// first (on the smaller picture: size, pixel aspect, bit depth, chroma, range), then the display rotation. Frames
/// that already fit pass through without a copy.
final class VideoFrameProcessor {
    /// Width before rotation: what a filter graph in front of this processor should deliver (then only rotation is left).
    var scaledSize: (width: Int, height: Int) { (scaledWidth, scaledHeight) }
    /// Output width (after rotation).
    let width: Int
    /// Output height (after rotation).
    let height: Int
    private let rotation: Int
    private let scaledWidth: Int
    private let scaledHeight: Int
    private let scaler = ScaleContext()
    private var scaled: Frame?
    private var rotated: Frame?

    /// A processor for `codedWidth`x`codedHeight` pictures of pixel aspect `sampleAspect` (width of a pixel over its
    /// height) with a counterclockwise display `rotation`, capping the shorter side at `maxShortSide`.
    init(codedWidth: Int, codedHeight: Int, sampleAspect: Double, rotation: Int, maxShortSide: Int) {
        let size = RenditionSize.fit(width: RenditionSize.squarePixelWidth(codedWidth, sampleAspect: sampleAspect), height: codedHeight,
                                     maxShortSide: maxShortSide)
        scaledWidth = size.width
        scaledHeight = size.height
        self.rotation = rotation
        let quarterTurn = rotation == 90 || rotation == 270
        width = quarterTurn ? size.height : size.width
        height = quarterTurn ? size.width : size.height
    }

    /// The upright frame for `frame`: `frame` itself when it already fits, else an internal frame reused by the next call.
    func process(_ frame: UnsafeMutablePointer<AVFrame>) throws -> UnsafeMutablePointer<AVFrame> {
        var upright = frame
        if Int(frame.pointee.width) != scaledWidth || Int(frame.pointee.height) != scaledHeight
            || frame.pointee.format != AV_PIX_FMT_YUV420P.rawValue || frame.pointee.color_range == AVCOL_RANGE_JPEG {
            let target = try Self.reusable(&scaled, width: scaledWidth, height: scaledHeight)
            try scaler.scale(frame, into: target.pointer)
            target.pointer.pointee.color_range = AVCOL_RANGE_MPEG
            upright = target.pointer
        }
        if rotation != 0 {
            let target = try Self.reusable(&rotated, width: width, height: height)
            FrameRotation.rotate(upright, into: target.pointer, degrees: rotation)
            upright = target.pointer
        }
        return upright
    }

    private static func reusable(_ slot: inout Frame?, width: Int, height: Int) throws -> Frame {
        if let frame = slot {
            try frame.makeWritable()
            return frame
        }
        let frame = try Frame(width: width, height: height, format: AV_PIX_FMT_YUV420P)
        slot = frame
        return frame
    }
}
