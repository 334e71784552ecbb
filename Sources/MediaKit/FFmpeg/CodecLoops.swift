import CFFmpeg

extension CodecContext {
    /// Sends `packet` to this decoder (nil drains it) and hands every frame it returns to `body`.
    /// Corrupt packets (`AVERROR_INVALIDDATA`) are skipped, as the ffmpeg tool does; EAGAIN/EOF are control flow.
    func decode(_ packet: UnsafeMutablePointer<AVPacket>?, into frame: Frame,
                _ body: (UnsafeMutablePointer<AVFrame>) throws -> Void) throws {
        let sent = avcodec_send_packet(pointer, packet)
        if sent < 0 && !isAgainOrEOF(sent) && sent != CFFmpeg_AVERROR_INVALIDDATA() {
            try check(sent, "avcodec_send_packet", .decodeFailed)
        }
        while true {
            let received = avcodec_receive_frame(pointer, frame.pointer)
            if isAgainOrEOF(received) { return }
            if received == CFFmpeg_AVERROR_INVALIDDATA() { continue }
            try check(received, "avcodec_receive_frame", .decodeFailed)
            try body(frame.pointer)
        }
    }
}
