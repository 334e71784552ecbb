import Foundation
import MediaModel

/// The checks a file must pass before it is optimized, in the contract's order: magic bytes
/// and the name's extension, the size limit, then libavformat's duration against the limits.
/// The pipeline's check stage and `video-ingest probe` both use this, so they agree. The checks
/// themselves (`MediaCheck.check`) are in IngestMediaChild, which links FFmpeg: they run only in the
/// media executable; here is what they report.
public enum MediaCheck {
    /// What the checks found. `failure` is nil when the file passed.
    public struct Report: Sendable {
        public var format: ContainerFormat?
        public var durationSeconds: Double?
        public var sizeBytes: Int64
        public var probe: ProbeReport?
        public var failure: PipelineError?

        /// Makes a report.
        package init(format: ContainerFormat?, durationSeconds: Double?, sizeBytes: Int64, probe: ProbeReport?, failure: PipelineError?) {
            self.format = format
            self.durationSeconds = durationSeconds
            self.sizeBytes = sizeBytes
            self.probe = probe
            self.failure = failure
        }

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

    package static func streamJSON(_ s: StreamInfo) -> JSONValue {
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
