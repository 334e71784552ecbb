import CFFmpeg

/// Owns an `AVAudioFifo` (freed with `av_audio_fifo_free`) that regroups samples into encoder-sized frames.
final class AudioFIFO {
    let pointer: OpaquePointer

    /// A FIFO for `format` with `channels` channels.
    init(format: AVSampleFormat, channels: Int32) throws {
        guard let fifo = av_audio_fifo_alloc(format, channels, 4096) else {
            throw MediaError(.encodeFailed, "out of memory", call: "av_audio_fifo_alloc")
        }
        pointer = fifo
    }

    deinit { av_audio_fifo_free(pointer) }

    /// Samples waiting.
    var count: Int32 { av_audio_fifo_size(pointer) }

    /// Appends the first `samples` samples of `frame`.
    func write(_ frame: Frame, samples: Int32) throws {
        guard samples > 0 else { return }
        let written = av_audio_fifo_write(pointer, frame.planes, samples)
        try check(written, "av_audio_fifo_write", .encodeFailed)
        if written < samples { throw MediaError(.encodeFailed, "short FIFO write", call: "av_audio_fifo_write") }
    }

    /// Moves `samples` samples into `frame` (which must have room for them).
    func read(into frame: Frame, samples: Int32) throws {
        let read = av_audio_fifo_read(pointer, frame.planes, samples)
        try check(read, "av_audio_fifo_read", .encodeFailed)
        if read < samples { throw MediaError(.encodeFailed, "short FIFO read", call: "av_audio_fifo_read") }
    }
}
