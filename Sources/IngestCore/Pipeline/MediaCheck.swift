import Foundation
import MediaKit

/// The checks a file must pass before it is optimized, in the contract's order: magic bytes
/// and the name's extension, the size limit, then libavformat's duration against the limits.
/// The pipeline's check stage and `video-ingest probe` both use this, so they agree.
public enum MediaCheck {
    /// What the checks found. `failure` is nil when the file passed.
    public struct Report: Sendable {
        public var format: ContainerFormat?
        public var durationSeconds: Double?
        public var sizeBytes: Int64
        public var probe: ProbeReport?
        public var failure: PipelineError?

        /// `"ok"` or the failure code.
        public var verdict: String {
            switch failure {
            case nil: return "ok"
            case .seller(let code, _)?: return code.rawValue
            case .workerFault?, .cancelled?: return "error"
            }
        }

        /// The `probe` command's JSON (CONTRACT section 1).
        public var json: JSONValue {
            var members: [(String, JSONValue)] = [
                ("format", .string(format?.rawValue)),
                ("durationSeconds", .number(durationSeconds)),
                ("streams", .array((probe?.streams ?? []).map(MediaCheck.streamJSON))),
                ("verdict", .string(verdict)),
                ("sizeBytes", .integer(sizeBytes)),
            ]
            if case .seller(_, let message)? = failure { members.append(("reason", .string(message))) }
            if let probe {
                members.append(("displayWidth", probe.displayWidth.map { .integer(Int64($0)) } ?? .null))
                members.append(("displayHeight", probe.displayHeight.map { .integer(Int64($0)) } ?? .null))
                members.append(("faststart", .bool(probe.isFaststart)))
            }
            return .object(members)
        }
    }

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

    static func streamJSON(_ s: StreamInfo) -> JSONValue {
        func int(_ v: Int?) -> JSONValue { v.map { .integer(Int64($0)) } ?? .null }
        return .object([
            ("index", .integer(Int64(s.index))), ("type", .string(s.type)), ("codec", .string(s.codec)),
            ("width", int(s.width)), ("height", int(s.height)), ("frameRate", .number(s.frameRate)),
            ("rotation", int(s.rotationDegrees)), ("pixelFormat", .string(s.pixelFormat)),
            ("sampleRate", int(s.sampleRate)), ("channels", int(s.channels)),
            ("bitRate", s.bitRate.map { .integer($0) } ?? .null), ("durationSeconds", .number(s.durationSeconds)),
            ("profile", .string(s.profile)), ("default", .bool(s.isDefault)), ("channelLayout", .string(s.channelLayout)),
            ("sampleAspectRatio", .string(s.picture?.sampleAspectRatio?.description)), ("colorRange", .string(s.picture?.colorRange)),
            ("colorPrimaries", .string(s.picture?.colorPrimaries)), ("colorTransfer", .string(s.picture?.colorTransfer)),
            ("colorSpace", .string(s.picture?.colorSpace)), ("bitDepth", int(s.picture?.bitDepth)),
            ("fieldOrder", .string(s.picture?.fieldOrder)),
        ])
    }
}
