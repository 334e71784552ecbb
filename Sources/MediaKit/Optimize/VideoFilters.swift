import CFFmpeg

/// The libavfilter graph a video needs before swscale, or nil when swscale alone makes it uniform:
/// - interlaced (any field order but progressive): `bwdif` (one frame out per frame in, both fields blended by motion);
/// - HDR (PQ `smpte2084` or HLG `arib-std-b67`): tone-mapped to SDR BT.709 with zimg and `tonemap` (Hable) in linear
///   light: `zscale` resizes to the rendition size and linearizes (nominal peak 100 nits), the BT.2020 primaries become
///   BT.709 in float RGB, `tonemap` compresses the highlights, and a last `zscale` applies the BT.709 transfer and
///   matrix in limited range, 8-bit yuv420p;
/// - BT.2020 SDR: the same conversion without the tone-map.
/// swscale alone cannot do the last two: it scales and changes depth and chroma, but does not change the transfer
/// or the primaries, so an HDR picture would come out grey and washed out.
enum VideoFilters {
    /// The graph for a source `picture` whose rendition (before rotation) is `width`x`height`.
    static func description(for picture: PictureInfo, width: Int, height: Int) -> String? {
        var chain: [String] = []
        if picture.isInterlaced { chain.append("bwdif=mode=send_frame:parity=auto:deint=all") }
        if picture.isHDR {
            chain.append(toneMap(width: width, height: height))
        } else if picture.colorPrimaries == "bt2020" {
            chain.append("zscale=w=\(width):h=\(height):p=bt709:t=bt709:m=bt709:r=tv:dither=ordered,format=yuv420p")
        }
        return chain.isEmpty ? nil : chain.joined(separator: ",")
    }

    /// The HDR → SDR chain (also what the benchmark's ffmpeg command line runs, so both do the same work).
    static func toneMap(width: Int, height: Int) -> String {
        "zscale=w=\(width):h=\(height):t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,"
            + "tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv:dither=ordered,format=yuv420p"
    }

    /// The colour tags of the encoded rendition: BT.709 limited when the picture was converted (HDR, BT.2020), else the
    /// source's own tags with the range limited (swscale converts full range; unspecified stays unspecified).
    static func outputTags(for parameters: AVCodecParameters, picture: PictureInfo) -> ColorTags {
        if picture.isHDR || picture.colorPrimaries == "bt2020" {
            return ColorTags(primaries: AVCOL_PRI_BT709, transfer: AVCOL_TRC_BT709, space: AVCOL_SPC_BT709, range: AVCOL_RANGE_MPEG)
        }
        return ColorTags(primaries: parameters.color_primaries, transfer: parameters.color_trc, space: parameters.color_space,
                         range: AVCOL_RANGE_MPEG)
    }
}

/// The colour description libx264 writes into the stream (VUI).
struct ColorTags {
    var primaries: AVColorPrimaries
    var transfer: AVColorTransferCharacteristic
    var space: AVColorSpace
    var range: AVColorRange
}
