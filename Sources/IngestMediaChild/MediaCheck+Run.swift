import Foundation
import IngestCore
import MediaKit

extension MediaCheck {
    /// Checks the file at `path`; `name` is the URL or file name whose extension must agree with
    /// the content. Throws only when the file cannot be read at all.
    public static func check(path: String, name: String, config: IngestConfig) throws(PipelineError) -> Report {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .workerFault("cannot open \(path)") }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: FormatSniffer.headerLength)) ?? Data()
        // fstat, not FileManager.attributesOfItem: that one also looks up the owner's name (reads /etc/passwd).
        var info = stat()
        let size = fstat(handle.fileDescriptor, &info) == 0 ? Int64(info.st_size) : 0
        var report = Report(format: FormatSniffer.sniff(header), durationSeconds: nil, sizeBytes: size, probe: nil, failure: nil)

        let allowed = Set(config.limits.allowedFormats.compactMap(ContainerFormat.init(rawValue:)))
        let format: ContainerFormat
        switch FormatSniffer.check(header: header, name: name, allowed: allowed) {
        case .rejected(let why):
            report.failure = .seller(.formatInvalid, why.description)
            return report
        case .accepted(let f): format = f
        }
        guard size <= config.limits.maxFileSizeBytes else {
            report.failure = .seller(.sizeExceeded, "the file has \(size) bytes; the limit is \(config.limits.maxFileSizeBytes)")
            return report
        }
        let probe: ProbeReport
        do { probe = try MediaProbe.probe(path: path, format: format) } catch {
            report.failure = .seller(.formatInvalid, "libavformat cannot read the file: \(error)")
            return report
        }
        report.probe = probe
        report.durationSeconds = probe.durationSeconds
        guard probe.hasVideo else {
            report.failure = .seller(.formatInvalid, "the file has no video stream")
            return report
        }
        guard let duration = probe.durationSeconds,
              duration >= config.limits.minDurationSeconds, duration <= config.limits.maxDurationSeconds else {
            let shown = probe.durationSeconds.map { String(format: "%.2f s", $0) } ?? "unknown"
            report.failure = .seller(.durationInvalid, "the duration is \(shown); it must be from "
                + "\(formatSeconds(config.limits.minDurationSeconds)) to \(formatSeconds(config.limits.maxDurationSeconds)) seconds")
            return report
        }
        return report
    }

    private static func formatSeconds(_ s: Double) -> String { s == s.rounded() ? String(Int(s)) : String(s) }
}
