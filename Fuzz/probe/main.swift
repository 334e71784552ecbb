// libFuzzer entry point for the probe (Sources/MediaKit: MediaProbe.probe(path:format:) on libavformat).
//
// Compiled by `make fuzz` together with every MediaKit source as one module (no `import MediaKit`),
// with `-I Sources/CFFmpeg` so `import CFFmpeg` resolves, linked against the system FFmpeg.
// The input is a downloaded file's bytes. As in the pipeline, the sniffer decides the format (and
// so the only demuxer libavformat may use); bytes it does not recognise never reach libavformat.
// The bytes go to an unlinked temporary file (tmpfs when /dev/shm exists), opened by path.
// libavformat is not instrumented (it is the system's build), so coverage guidance comes from the
// Swift side only: the probe's report building and AtomScanner, which reads the file's atoms itself.
import CFFmpeg
import Foundation

/// FFmpeg's own log at error level would print a line for most inputs; silence it (once).
private let quiet: Void = {
    FFmpegLog.configure()
    av_log_set_level(AV_LOG_QUIET)
}()

/// One file, unlinked as soon as it is made, reached through `/proc/self/fd/N`: each input rewrites it,
/// and nothing is left behind when the process crashes or is killed.
private let scratch: (fd: Int32, path: String) = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let path = base + "/video-ingest-fuzz-probe-\(getpid())"
    let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    precondition(fd >= 0, "cannot create \(path): errno \(errno)")
    unlink(path)
    return (fd, "/proc/self/fd/\(fd)")
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProbe(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = quiet
    guard let format = FormatSniffer.sniff(UnsafeBufferPointer(start: data, count: size)) else { return 0 }
    precondition(ftruncate(scratch.fd, 0) == 0, "ftruncate: errno \(errno)")
    var written = 0
    while written < size {
        let n = pwrite(scratch.fd, data + written, size - written, off_t(written))
        precondition(n > 0, "short write: errno \(errno)")
        written += n
    }

    // The faststart check reads the atoms with plain file I/O, for any input the probe accepts.
    _ = AtomScanner.moovBeforeMdat(path: scratch.path)

    do {
        let report = try MediaProbe.probe(path: scratch.path, format: format)
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
