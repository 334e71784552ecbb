import Foundation
import IngestCrypto
import IngestHTTP
import IngestObjectStore
import IngestStore
import MediaModel

/// Reads and validates config files: a missing key takes its default, a wrong one is reported
/// with its path, and every problem is reported at once.
public enum ConfigLoader {
    /// The file the commands read when `--config` is not given.
    public static let defaultPath = "config/ingest.json"

    /// Loads the config a command's `--config` option names (CONTRACT section 1): a named file
    /// must exist and be valid; without the option, `config/ingest.json` is read when it exists
    /// and the built-in defaults apply when it does not.
    public static func load(option: String?) throws(ConfigError) -> IngestConfig {
        try load(path: option ?? defaultPath, mustExist: option != nil)
    }

    /// Loads `path`. With `mustExist` false a missing file gives the built-in defaults.
    public static func load(path: String, mustExist: Bool) throws(ConfigError) -> IngestConfig {
        guard FileManager.default.fileExists(atPath: path) else {
            if mustExist { throw ConfigError(path: path, problems: ["the file does not exist"]) }
            return IngestConfig()
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(path: path, problems: ["the file cannot be read"])
        }
        do { return try parse(data) } catch { throw ConfigError(path: path, problems: error.problems) }
    }

    /// Parses config JSON text.
    public static func parse(_ data: Data) throws(ConfigError) -> IngestConfig {
        let root: JSONValue
        do { root = try JSONParser.parse(data) } catch { throw ConfigError(path: nil, problems: ["not valid JSON: \(error)"]) }
        guard case .object = root else { throw ConfigError(path: nil, problems: ["the top level must be a JSON object"]) }
        var reader = Reader(root: root)
        var c = IngestConfig()
        reader.string("spoolDirectory", &c.spoolDirectory) { !$0.isEmpty }
        reader.int("workers", &c.workers, 1...64)

        reader.int64("limits.maxFileSizeBytes", &c.limits.maxFileSizeBytes, 1...Int64.max)
        reader.double("limits.minDurationSeconds", &c.limits.minDurationSeconds, 0...86_400)
        reader.double("limits.maxDurationSeconds", &c.limits.maxDurationSeconds, 0...86_400)
        reader.strings("limits.allowedFormats", &c.limits.allowedFormats, nonEmpty: true) {
            ContainerFormat(rawValue: $0) != nil ? nil : "names an unknown format \"\($0)\" (mp4, mov, webm, avi)"
        }
        if c.limits.minDurationSeconds > c.limits.maxDurationSeconds {
            reader.problems.append("limits.minDurationSeconds must not be greater than limits.maxDurationSeconds")
        }

        reader.double("download.timeoutSeconds", &c.download.timeoutSeconds, 0.001...86_400)
        reader.double("download.stallTimeoutSeconds", &c.download.stallTimeoutSeconds, 0.001...86_400)
        reader.int("download.maxRedirects", &c.download.maxRedirects, 0...50)
        reader.int("download.retries", &c.download.retries, 0...20)
        reader.double("download.retryBackoffSeconds", &c.download.retryBackoffSeconds, 0...3600)
        reader.strings("download.allowedNetworks", &c.download.allowedNetworks, nonEmpty: false) {
            NetworkRange.isValid($0) ? nil : "holds \"\($0)\", which is not a CIDR range"
        }

        reader.strings("intake.storeFrontCodes", &c.intake.storeFrontCodes, nonEmpty: true) { $0.isEmpty ? "holds an empty code" : nil }
        reader.int("intake.createsPerMinutePerSeller", &c.intake.createsPerMinutePerSeller, 1...1_000_000)
        reader.double("intake.rescanSeconds", &c.intake.rescanSeconds, 0.05...3600)
        reader.double("intake.keyRetentionHours", &c.intake.keyRetentionHours, 24...87_600)

        reader.int("optimization.maxHeight", &c.optimization.maxHeight, 16...4320)
        reader.double("optimization.maxFrameRate", &c.optimization.maxFrameRate, 1...240)
        reader.int("optimization.crf", &c.optimization.crf, 0...51)
        reader.string("optimization.preset", &c.optimization.preset) {
            ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"].contains($0)
        }
        reader.int("optimization.x264Threads", &c.optimization.x264Threads, 0...64)

        reader.optionalString("publish.publicBaseUrl", &c.publish.publicBaseUrl) {
            $0.hasPrefix("http://") || $0.hasPrefix("https://") || $0.hasPrefix("file://")
        }
        reader.optionalString("publish.mediaDirectory", &c.publish.mediaDirectory, what: "null or a folder path") {
            !$0.isEmpty && $0 != "/" && !$0.contains("\u{0}")
        }
        reader.bool("publish.autoApprove", &c.publish.autoApprove)
        c.publish.s3 = reader.s3Settings("publish.s3")

        reader.double("pipeline.faultBackoffSeconds", &c.pipeline.faultBackoffSeconds, 0...86_400)
        reader.double("pipeline.maxFaultBackoffSeconds", &c.pipeline.maxFaultBackoffSeconds, 0...86_400)
        reader.int("pipeline.maxAttempts", &c.pipeline.maxAttempts, 1...1000)
        reader.double("pipeline.mediaDeadlineSeconds", &c.pipeline.mediaDeadlineSeconds, 1...86_400)
        reader.int64("pipeline.mediaMemoryLimitBytes", &c.pipeline.mediaMemoryLimitBytes, (256 << 20)...(1 << 40))
        reader.double("pipeline.mediaCpuSeconds", &c.pipeline.mediaCpuSeconds, 1...86_400)
        reader.int64("pipeline.mediaOutputLimitBytes", &c.pipeline.mediaOutputLimitBytes, 0...Int64.max)
        reader.int("pipeline.mediaOpenFiles", &c.pipeline.mediaOpenFiles, 16...4096)
        reader.notify(&c.notify)

        reader.optionalString("http.listen", &c.http.listen, what: "null or host:port") { HTTPServer.isValidListen($0) }
        reader.apiKeys("http.apiKeys", &c.http.apiKeys)
        reader.int64("http.maxUploadBytes", &c.http.maxUploadBytes, 1...(1 << 40))
        reader.int("http.readsPerMinutePerSeller", &c.http.readsPerMinutePerSeller, 1...1_000_000)
        reader.int("http.requestTimeoutSeconds", &c.http.requestTimeoutSeconds, 1...3600)
        reader.int("http.maxConnections", &c.http.maxConnections, 1...100_000)

        reader.optionalString("store.url", &c.store.url, what: "null or a postgresql:// URL") { StoreOpener.isPostgresURL($0) }
        reader.double("store.leaseSeconds", &c.store.leaseSeconds, 1...86_400)
        reader.optionalString("store.passwordFile", &c.store.passwordFile, what: "null or a readable file") {
            FileManager.default.isReadableFile(atPath: $0)
        }

        reader.reportUnknownKeys()
        guard reader.problems.isEmpty else { throw ConfigError(path: nil, problems: reader.problems) }
        return c
    }

    /// Reads typed values by dotted path and collects every problem. Every path it is asked for
    /// is a known key, so the keys a file holds beyond those are reported by `reportUnknownKeys`
    /// (CONTRACT section 7: a typo never passes silently), and a key added to `parse` is known
    /// with no second list to keep.
    struct Reader {
        let root: JSONValue
        var problems: [String] = []
        private var known: Set<String> = []
        private var knownParents: Set<String> = []

        init(root: JSONValue) { self.root = root }

        /// Adds "… is not a known key" for every member of the file that no read asked for.
        mutating func reportUnknownKeys() {
            func walk(_ node: JSONValue, prefix: String) {
                guard case .object(let members) = node else { return }
                for (key, child) in members {
                    let path = prefix.isEmpty ? key : prefix + "." + key
                    if known.contains(path) { continue }
                    if knownParents.contains(path) { walk(child, prefix: path); continue }
                    problems.append("\(path) is not a known key")
                }
            }
            walk(root, prefix: "")
        }

        mutating func value(_ path: String) -> JSONValue? {
            known.insert(path)
            var parent = Substring(path)
            while let dot = parent.lastIndex(of: ".") {
                parent = parent[..<dot]
                knownParents.insert(String(parent))
            }
            var node = root
            for part in path.split(separator: ".") {
                guard case .object = node else {
                    problems.append("\(path): its parent must be an object")
                    return nil
                }
                guard let next = node[String(part)] else { return nil }
                node = next
            }
            return node
        }

        /// `publish.s3`: null (or absent) or an object with endpoint and bucket (section 11).
        mutating func s3Settings(_ path: String) -> S3Settings? {
            guard let v = value(path), case .object = v else {
                if let v = value(path), v != .null { problems.append("\(path) must be null or an object") }
                return nil
            }
            var s3 = S3Settings(endpoint: "", bucket: "")
            string(path + ".endpoint", &s3.endpoint) { _ in true }
            string(path + ".bucket", &s3.bucket) { _ in true }
            string(path + ".region", &s3.region) { _ in true }
            string(path + ".prefix", &s3.prefix) { _ in true }
            bool(path + ".pathStyle", &s3.pathStyle)
            if let file = value(path + ".credentialsFile"), file != .null {
                if case .string(let name) = file { s3.credentialsFile = name } else { problems.append("\(path).credentialsFile must be null or a path") }
            }
            s3 = S3Settings(endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, prefix: s3.prefix,
                            pathStyle: s3.pathStyle, credentialsFile: s3.credentialsFile)
            problems += s3.problems.map { "\(path).\($0)" }
            return s3
        }

        mutating func int(_ path: String, _ target: inout Int, _ range: ClosedRange<Int>) {
            var wide = Int64(target)
            int64(path, &wide, Int64(range.lowerBound)...Int64(range.upperBound))
            target = Int(wide)
        }

        mutating func int64(_ path: String, _ target: inout Int64, _ range: ClosedRange<Int64>) {
            guard let v = value(path) else { return }
            switch v {
            case .integer(let i) where range.contains(i): target = i
            default: problems.append("\(path) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
        }

        mutating func double(_ path: String, _ target: inout Double, _ range: ClosedRange<Double>) {
            guard let v = value(path) else { return }
            let number: Double?
            switch v {
            case .integer(let i): number = Double(i)
            case .number(let d): number = d
            default: number = nil
            }
            guard let number, range.contains(number) else {
                problems.append("\(path) must be a number from \(range.lowerBound) to \(range.upperBound)")
                return
            }
            target = number
        }

        mutating func bool(_ path: String, _ target: inout Bool) {
            guard let v = value(path) else { return }
            guard case .bool(let b) = v else { problems.append("\(path) must be true or false"); return }
            target = b
        }

        mutating func string(_ path: String, _ target: inout String, valid: (String) -> Bool) {
            guard let v = value(path) else { return }
            guard case .string(let s) = v, valid(s) else { problems.append("\(path) has an invalid value"); return }
            target = s
        }

        mutating func optionalString(_ path: String, _ target: inout String?, what: String = "null or a URL", valid: (String) -> Bool) {
            guard let v = value(path) else { return }
            switch v {
            case .null: target = nil
            case .string(let s) where valid(s): target = s.hasSuffix("/") ? String(s.dropLast()) : s
            default: problems.append("\(path) must be \(what)")
            }
        }

        /// `[{"sellerId": "s1", "sha256": "<64 hex>"}, {"role": "admin", "sha256": "..."}]`.
        mutating func apiKeys(_ path: String, _ target: inout [IngestConfig.APIKey]) {
            guard let v = value(path) else { return }
            guard case .array(let items) = v else { problems.append("\(path) must be an array of key objects"); return }
            var keys: [IngestConfig.APIKey] = []
            for (i, item) in items.enumerated() {
                let at = "\(path)[\(i)]"
                guard case .object(let members) = item else { problems.append("\(at) must be an object"); continue }
                for (name, _) in members where !["sellerId", "role", "sha256"].contains(name) {
                    problems.append("\(at) has an unknown key \"\(name)\"")
                }
                guard let hex = item["sha256"]?.stringValue, hex.count == 64, let digest = Hex.decode(hex.lowercased()) else {
                    problems.append("\(at).sha256 must be 64 hex digits (the SHA-256 of the key)"); continue
                }
                switch (item["sellerId"]?.stringValue, item["role"]?.stringValue) {
                case (let seller?, nil) where IntakeService.isValidName(seller): keys.append(.init(sellerId: seller, sha256: digest))
                case (nil, "admin"?): keys.append(.init(sellerId: nil, sha256: digest))
                default: problems.append("\(at) needs either a valid \"sellerId\" or \"role\": \"admin\"")
                }
            }
            target = keys
        }

        mutating func strings(_ path: String, _ target: inout [String], nonEmpty: Bool, check: (String) -> String?) {
            guard let v = value(path) else { return }
            guard case .array(let items) = v else { problems.append("\(path) must be an array of strings"); return }
            var result: [String] = []
            for item in items {
                guard case .string(let s) = item else { problems.append("\(path) must be an array of strings"); return }
                if let problem = check(s) { problems.append("\(path) \(problem)"); return }
                result.append(s)
            }
            if nonEmpty && result.isEmpty { problems.append("\(path) must not be empty"); return }
            target = result
        }
    }
}
