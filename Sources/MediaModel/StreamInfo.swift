/// Facts about one stream, as libavformat reports them.
public struct StreamInfo: Sendable, Codable, Equatable {
    /// The stream index in the container.
    public var index: Int
    /// "video", "audio", "subtitle", "data" or "other" (attached pictures such as cover art count as "other").
    public var type: String
    /// The codec name from `avcodec_get_name`, e.g. "h264", "aac".
    public var codec: String
    /// Coded width in pixels (video).
    public var width: Int?
    /// Coded height in pixels (video).
    public var height: Int?
    /// `avg_frame_rate`, or `r_frame_rate` when the average is unknown (video).
    public var frameRate: Double?
    /// Display-matrix rotation normalized to 0/90/180/270, counterclockwise as `av_display_rotation_get` and ffprobe
    /// report it ("rotation of 90.00 degrees"); showing the video upright means turning the pixels counterclockwise
    /// by this much (ffmpeg's autorotate: 90 → `transpose=cclock`, 270 → `transpose=clock`). nil when there is no display matrix.
    public var rotationDegrees: Int?
    /// The pixel format name, e.g. "yuv420p" (video).
    public var pixelFormat: String?
    /// The codec profile name from `avcodec_profile_name`, e.g. "High", "LC", when known.
    public var profile: String?
    /// Samples per second (audio).
    public var sampleRate: Int?
    /// Channel count (audio).
    public var channels: Int?
    /// The stream bit rate in bits per second, when known.
    public var bitRate: Int64?
    /// The stream's own span in seconds, from its packets' timestamps (see `StreamSpans`); the header's value when the
    /// packets carry none.
    public var durationSeconds: Double?
    /// The video's picture facts beyond its size: pixel aspect, colour, bit depth, field order, both frame rates.
    public var picture: PictureInfo?
    /// The audio's channel layout description, e.g. "mono", "stereo", "5.1(side)" (audio).
    public var channelLayout: String?
    /// The stream carries the `default` disposition (QuickTime/MP4: the track is enabled).
    public var isDefault: Bool = false

    /// Makes a stream description.
    public init(index: Int, type: String, codec: String, width: Int? = nil, height: Int? = nil, frameRate: Double? = nil,
                rotationDegrees: Int? = nil, pixelFormat: String? = nil, profile: String? = nil, sampleRate: Int? = nil, channels: Int? = nil,
                bitRate: Int64? = nil, durationSeconds: Double? = nil, picture: PictureInfo? = nil, channelLayout: String? = nil,
                isDefault: Bool = false) {
        self.index = index
        self.type = type
        self.codec = codec
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.rotationDegrees = rotationDegrees
        self.pixelFormat = pixelFormat
        self.profile = profile
        self.sampleRate = sampleRate
        self.channels = channels
        self.bitRate = bitRate
        self.durationSeconds = durationSeconds
        self.picture = picture
        self.channelLayout = channelLayout
        self.isDefault = isDefault
    }

    /// Width after applying the rotation (90/270 swap width and height).
    public var displayWidth: Int? { isQuarterTurn ? height : width }
    /// Height after applying the rotation.
    public var displayHeight: Int? { isQuarterTurn ? width : height }
    /// The shown width over the shown height: pixel aspect applied, then the rotation (nil without a size).
    public var displayAspectRatio: Double? {
        guard let width, let height, width > 0, height > 0 else { return nil }
        let aspect = Double(width) * (picture?.sampleAspectRatio?.value ?? 1) / Double(height)
        return isQuarterTurn ? 1 / aspect : aspect
    }

    private var isQuarterTurn: Bool { rotationDegrees == 90 || rotationDegrees == 270 }
}

/// A video stream's picture facts that decide whether it already plays everywhere (CONTRACT section 4).
public struct PictureInfo: Sendable, Codable, Equatable {
    /// The sample (pixel) aspect ratio: the stream's, else the codec's; nil when neither is set (square pixels).
    public var sampleAspectRatio: Ratio?
    /// "tv" (limited) or "pc" (full), as `av_color_range_name`; nil when unspecified. `yuvj*` formats count as "pc".
    public var colorRange: String?
    /// Colour primaries, e.g. "bt709", "bt2020"; nil when unspecified.
    public var colorPrimaries: String?
    /// Transfer characteristic, e.g. "bt709", "smpte2084" (PQ), "arib-std-b67" (HLG); nil when unspecified.
    public var colorTransfer: String?
    /// Matrix coefficients, e.g. "bt709", "bt2020nc"; nil when unspecified.
    public var colorSpace: String?
    /// Bits per sample of the first component (8, 10, 12).
    public var bitDepth: Int?
    /// Horizontal chroma subsampling shift (1 for 4:2:0 and 4:2:2, 0 for 4:4:4).
    public var chromaShiftX: Int?
    /// Vertical chroma subsampling shift (1 for 4:2:0, 0 for 4:2:2 and 4:4:4).
    public var chromaShiftY: Int?
    /// "progressive", "tt", "bb", "tb" or "bt" (as ffprobe); nil when unknown.
    public var fieldOrder: String?
    /// `avg_frame_rate`, when known.
    public var averageFrameRate: Double?
    /// `r_frame_rate` (the rate that represents every timestamp; above the average for a variable rate), when known.
    public var realFrameRate: Double?

    /// Makes picture facts.
    public init(sampleAspectRatio: Ratio? = nil, colorRange: String? = nil, colorPrimaries: String? = nil, colorTransfer: String? = nil,
                colorSpace: String? = nil, bitDepth: Int? = nil, chromaShiftX: Int? = nil, chromaShiftY: Int? = nil,
                fieldOrder: String? = nil, averageFrameRate: Double? = nil, realFrameRate: Double? = nil) {
        self.sampleAspectRatio = sampleAspectRatio
        self.colorRange = colorRange
        self.colorPrimaries = colorPrimaries
        self.colorTransfer = colorTransfer
        self.colorSpace = colorSpace
        self.bitDepth = bitDepth
        self.chromaShiftX = chromaShiftX
        self.chromaShiftY = chromaShiftY
        self.fieldOrder = fieldOrder
        self.averageFrameRate = averageFrameRate
        self.realFrameRate = realFrameRate
    }

    /// PQ or HLG: the picture needs tone-mapping to be shown as SDR.
    public var isHDR: Bool { colorTransfer == "smpte2084" || colorTransfer == "arib-std-b67" }
    /// Interlaced (any field order but progressive).
    public var isInterlaced: Bool { fieldOrder.map { $0 != "progressive" } ?? false }
    /// Square pixels: no aspect ratio set, or 1:1.
    public var hasSquarePixels: Bool { sampleAspectRatio.map { $0.num == $0.den } ?? true }
}

/// A positive fraction (a pixel aspect ratio).
public struct Ratio: Sendable, Codable, Equatable, CustomStringConvertible {
    /// Numerator.
    public var num: Int
    /// Denominator.
    public var den: Int
    /// Makes a ratio.
    public init(num: Int, den: Int) {
        self.num = num
        self.den = den
    }
    /// num / den.
    public var value: Double { Double(num) / Double(den) }
    /// "num:den".
    public var description: String { "\(num):\(den)" }
}
