/// The demux pass both optimizer paths share (`Remuxer`, `Transcoder`): reads packets until the input
/// ends or the video passes the probed duration (`DurationBound`), polls cancellation per packet,
/// reports progress from the video stream's clock, and hands every packet to `body`.
enum DemuxLoop {
    /// Runs the pass; `body` gets each packet with its input stream index (the packet is unreferenced after).
    static func run(_ input: InputContext, videoIndex: Int, source: ProbeReport, progress: ((Double) -> Void)?,
                    shouldCancel: (() -> Bool)?, body: (Int, Packet) throws -> Void) throws {
        let videoStream = input.stream(videoIndex)
        let origin = VideoTranscoder.origin(of: videoStream)
        var reporter = ProgressReporter(durationSeconds: source.durationSeconds, callback: progress)
        let packet = try Packet()
        while input.read(into: packet) {
            defer { packet.unref() }
            try Cancellation.check(shouldCancel)
            let index = Int(packet.pointer.pointee.stream_index)
            if index == videoIndex, let seconds = PacketClock.seconds(of: packet.pointer, in: videoStream, origin: origin) {
                if DurationBound.isPast(seconds, of: source) { break }
                reporter.update(seconds: seconds)
            }
            try body(index, packet)
        }
    }
}
