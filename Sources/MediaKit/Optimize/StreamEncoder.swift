import CFFmpeg

/// An encoder and the output stream its packets go to.
final class StreamEncoder {
    let encoder: CodecContext
    let stream: UnsafeMutablePointer<AVStream>
    private let output: OutputContext
    private let packet: Packet
    private let defaultDuration: Int64

    /// Adds a stream to `output` with the parameters of the opened `encoder`. Packets without a duration get
    /// `defaultDuration` (in the encoder time base).
    init(encoder: CodecContext, output: OutputContext, defaultDuration: Int64) throws {
        let stream = try output.addStream()
        try check(avcodec_parameters_from_context(stream.pointee.codecpar, encoder.pointer), "avcodec_parameters_from_context", .muxFailed)
        stream.pointee.time_base = encoder.pointer.pointee.time_base
        self.encoder = encoder
        self.stream = stream
        self.output = output
        self.packet = try Packet()
        self.defaultDuration = defaultDuration
    }

    /// Sends `frame` (nil flushes the encoder) and writes every packet the encoder returns.
    func send(_ frame: UnsafeMutablePointer<AVFrame>?) throws {
        try check(avcodec_send_frame(encoder.pointer, frame), "avcodec_send_frame", .encodeFailed)
        while true {
            let received = avcodec_receive_packet(encoder.pointer, packet.pointer)
            if isAgainOrEOF(received) { return }
            try check(received, "avcodec_receive_packet", .encodeFailed)
            packet.pointer.pointee.stream_index = stream.pointee.index
            if packet.pointer.pointee.duration == 0 { packet.pointer.pointee.duration = defaultDuration }
            av_packet_rescale_ts(packet.pointer, encoder.pointer.pointee.time_base, stream.pointee.time_base)
            try output.write(packet.pointer)
        }
    }
}
