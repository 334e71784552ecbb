// libFuzzer entry point for the probe (Sources/MediaKit: MediaProbe.probe(path:format:) on libavformat).
//
// Compiled by `make fuzz` together with every MediaKit source as one module (no `import MediaKit`),
// with `-I Sources/CFFmpeg` so `import CFFmpeg` resolves, linked against the system FFmpeg.
// The input is a downloaded file's bytes. As in the pipeline, the sniffer decides the format (and
// so the only demuxer libavformat may use); bytes it does not recognise never reach libavformat.
// The file goes to a fixed path in a private temporary folder (tmpfs when /dev/shm exists).
// libavformat is not instrumented (it is the system's build), so coverage guidance comes from the
// Swift side only: the probe's report building and AtomScanner, which reads the file's atoms itself.
import CFFmpeg
import Foundation

/// FFmpeg's own log at error level would print a line for most inputs; silence it (once).
private let quiet: Void = {
    FFmpegLog.configure()
    av_log_set_level(AV_LOG_QUIET)
}()

private let inputPath: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let folder = base + "/video-ingest-fuzz-probe-\(getpid())"
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: "/dev/shm/video-ingest-fuzz-probe-\(getpid())") }
    return folder + "/input"
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProbe(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    _ = quiet
    guard let format = FormatSniffer.sniff(input) else { return 0 }
    let fd = open(inputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0, "cannot write \(inputPath): errno \(errno)")
    var written = 0
    while written < size {
        let n = write(fd, data + written, size - written)
        precondition(n > 0, "short write to \(inputPath)")
        written += n
    }
    close(fd)

    // The faststart check reads the atoms with plain file I/O, for any input the probe accepts.
    _ = AtomScanner.moovBeforeMdat(path: inputPath)

    do {
        let report = try MediaProbe.probe(path: inputPath, format: format)
        precondition(report.format == format)
        precondition(report.streams.contains { $0.type == "video" }, "a report without a video stream")
        precondition(report.streams.count <= 16, "\(report.streams.count) streams despite max_streams 16")
        if let duration = report.durationSeconds { precondition(!duration.isNaN, "NaN duration") }
        for stream in report.streams {
            if let rotation = stream.rotationDegrees { precondition([0, 90, 180, 270].contains(rotation), "rotation \(rotation)") }
        }
        _ = report.isFaststart
    } catch {
        // Refusing the file is the expected outcome for most inputs; only a crash or a hang is a finding.
    }
    return 0
}
