import CFFmpeg

/// Reads a stream's display matrix.
enum DisplayRotation {
    /// The display-matrix rotation of `stream` (counterclockwise, as `av_display_rotation_get`), normalized to
    /// 0/90/180/270; nil when the stream has no display matrix.
    static func degrees(of stream: UnsafeMutablePointer<AVStream>) -> Int? {
        var size = 0
        guard let data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size), size >= 9 * MemoryLayout<Int32>.size else {
            return nil
        }
        let angle = av_display_rotation_get(UnsafeRawPointer(data).assumingMemoryBound(to: Int32.self))
        guard angle.isFinite else { return nil }
        return normalized(angle)
    }

    /// `angle` rounded to the nearest quarter turn in [0, 360).
    static func normalized(_ angle: Double) -> Int {
        let quarterTurns = Int((angle / 90).rounded())
        return ((quarterTurns % 4) + 4) % 4 * 90
    }
}
