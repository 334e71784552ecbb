import CFFmpeg
import Foundation

/// Encodes one picture as a JPEG file.
enum PosterWriter {
    /// The poster's shorter-side cap.
    static let maxShortSide = 720

    /// Converts `frame` to full-range yuvj420p with the shorter side ≤ 720 and writes it as a JPEG to `path`.
    static func write(_ frame: UnsafePointer<AVFrame>, to path: String) throws {
        let size = RenditionSize.fit(width: Int(frame.pointee.width), height: Int(frame.pointee.height), maxShortSide: maxShortSide)
        let picture = try Frame(width: size.width, height: size.height, format: AV_PIX_FMT_YUVJ420P)
        try ScaleContext().scale(frame, into: picture.pointer)
        picture.pointer.pointee.pts = 0
        picture.pointer.pointee.quality = 3 * FF_QP2LAMBDA
        let encoder = try EncoderFactory.jpeg(width: size.width, height: size.height)
        try check(avcodec_send_frame(encoder.pointer, picture.pointer), "avcodec_send_frame", .encodeFailed)
        try check(avcodec_send_frame(encoder.pointer, nil), "avcodec_send_frame", .encodeFailed)
        let packet = try Packet()
        var bytes = Data()
        while true {
            let received = avcodec_receive_packet(encoder.pointer, packet.pointer)
            if isAgainOrEOF(received) { break }
            try check(received, "avcodec_receive_packet", .encodeFailed)
            bytes.append(packet.pointer.pointee.data, count: Int(packet.pointer.pointee.size))
            packet.unref()
        }
        guard !bytes.isEmpty else { throw MediaError(.encodeFailed, "the JPEG encoder returned nothing") }
        do {
            try bytes.write(to: URL(fileURLWithPath: path))
        } catch {
            throw MediaError(.io, "cannot write \(path): \(error)")
        }
    }
}
