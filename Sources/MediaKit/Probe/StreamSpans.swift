import CFFmpeg

/// Measures how long each audio and video stream really runs, from its packets' timestamps (no decoding): the
/// first shown instant to the end of the last packet. A header field (`mvhd`, `tkhd`, `mdhd`, a Matroska
/// `Duration`) can claim anything; the packets are what plays. Edit lists (packets the demuxer flags
/// `AV_PKT_FLAG_DISCARD`, such as AAC priming and frames before a cut), B-frame reordering (the latest
/// presentation time, not the last packet's) and fragmented mp4 (every `moof` is read) are included.
enum StreamSpans {
    /// Seconds from first to last shown instant per stream index, for every audio/video stream with timestamps.
    /// Reads `input` to its end, so it must be a fresh input used for nothing else.
    static func measure(_ input: InputContext) -> [Int: Double] {
        var first: [Int: Int64] = [:], last: [Int: Int64] = [:]
        for index in 0..<input.streamCount {
            let type = input.stream(index).pointee.codecpar.pointee.codec_type
            if type != AVMEDIA_TYPE_VIDEO && type != AVMEDIA_TYPE_AUDIO { input.stream(index).pointee.discard = AVDISCARD_ALL }
        }
        guard let packet = try? Packet() else { return [:] }
        while input.read(into: packet) {
            defer { packet.unref() }
            let p = packet.pointer.pointee
            guard (p.flags & AV_PKT_FLAG_DISCARD) == 0 else { continue }
            let timestamp = p.pts != CFFmpeg_AV_NOPTS_VALUE() ? p.pts : p.dts
            guard timestamp != CFFmpeg_AV_NOPTS_VALUE() else { continue }
            let index = Int(p.stream_index)
            let (end, overflow) = timestamp.addingReportingOverflow(max(0, p.duration))
            guard !overflow else { continue }
            first[index] = min(first[index] ?? timestamp, timestamp)
            last[index] = max(last[index] ?? end, end)
        }
        var spans: [Int: Double] = [:]
        for (index, start) in first {
            guard let end = last[index], end > start else { continue }
            let seconds = Double(end - start) * av_q2d(input.stream(index).pointee.time_base)
            if seconds.isFinite { spans[index] = seconds }
        }
        return spans
    }
}
