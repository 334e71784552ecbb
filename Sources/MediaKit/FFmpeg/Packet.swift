import CFFmpeg

/// Owns an `AVPacket`, freed with `av_packet_free`. Reused for every read and encode.
final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>

    /// An empty packet.
    init() throws {
        guard let packet = av_packet_alloc() else { throw MediaError(.io, "out of memory", call: "av_packet_alloc") }
        pointer = packet
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }

    /// Drops the payload reference so the packet can be reused.
    func unref() { av_packet_unref(pointer) }
}
