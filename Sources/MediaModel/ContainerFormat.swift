/// A container format the pipeline can recognise by its bytes (CONTRACT section 4).
public enum ContainerFormat: String, Sendable, Codable, CaseIterable {
    case mp4, mov, webm, avi

    /// The libavformat demuxer that reads this format; probe opens only this one (`format_whitelist`).
    public var demuxerName: String {
        switch self {
        case .mp4, .mov: return "mov,mp4,m4a,3gp,3g2,mj2"
        case .webm: return "matroska,webm"
        case .avi: return "avi"
        }
    }

    /// The short demuxer name for `format_whitelist` and `av_find_input_format`.
    public var shortDemuxerName: String {
        switch self {
        case .mp4, .mov: return "mov"
        case .webm: return "matroska"
        case .avi: return "avi"
        }
    }
}
