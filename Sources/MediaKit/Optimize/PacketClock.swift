import CFFmpeg

/// Packet times in seconds from an origin, for progress reports.
enum PacketClock {
    /// The time of `packet` in `stream`, in seconds after `origin` (stream time base), or nil without timestamps.
    static func seconds(of packet: UnsafeMutablePointer<AVPacket>, in stream: UnsafeMutablePointer<AVStream>, origin: Int64) -> Double? {
        let timestamp = packet.pointee.dts != CFFmpeg_AV_NOPTS_VALUE() ? packet.pointee.dts : packet.pointee.pts
        guard timestamp != CFFmpeg_AV_NOPTS_VALUE() else { return nil }
        return Double(timestamp - origin) * av_q2d(stream.pointee.time_base)
    }
}
