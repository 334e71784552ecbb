import CFFmpeg

/// The `av_strerror` text of an AVERROR code.
func averrorText(_ ret: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 128)
    if av_strerror(ret, &buffer, buffer.count) < 0 { return "error \(ret)" }
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

/// Returns `ret` when it is not negative; otherwise throws a `MediaError` with `code`, the C function name and the AVERROR text.
@discardableResult
func check(_ ret: Int32, _ call: String, _ code: MediaError.Code, _ context: String = "") throws -> Int32 {
    guard ret < 0 else { return ret }
    let prefix = context.isEmpty ? "" : context + ": "
    throw MediaError(code, prefix + averrorText(ret), call: call, averror: ret)
}

/// True for the AVERROR codes that are control flow in send/receive loops (EAGAIN, EOF), not failures.
func isAgainOrEOF(_ ret: Int32) -> Bool {
    ret == CFFmpeg_AVERROR_EAGAIN() || ret == CFFmpeg_AVERROR_EOF()
}
