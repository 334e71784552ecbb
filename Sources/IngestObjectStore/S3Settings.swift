import Foundation

/// Where objects go (CONTRACT section 11, `publish.s3`): an S3-compatible endpoint, a bucket,
/// the region that signs requests, a key prefix and the addressing style.
public struct S3Settings: Sendable, Equatable {
    /// `http://host[:port]` or `https://host[:port]`, without a path.
    public var endpoint: String
    public var bucket: String
    public var region: String
    /// Put before `<videoId>/…` in every key (for example `"videos/"`); may be empty.
    public var prefix: String
    /// true: `<endpoint>/<bucket>/<key>`; false: `<scheme>://<bucket>.<host>/<key>` (virtual host).
    public var pathStyle: Bool
    /// An AWS shared-credentials file; nil takes the `AWS_*` environment variables.
    public var credentialsFile: String?

    public init(endpoint: String, bucket: String, region: String = "us-east-1", prefix: String = "",
                pathStyle: Bool = true, credentialsFile: String? = nil) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.bucket = bucket
        self.region = region
        self.prefix = prefix
        self.pathStyle = pathStyle
        self.credentialsFile = credentialsFile
    }

    /// Every problem with the settings, as `"<field> …"` sentences (empty when they are valid).
    public var problems: [String] {
        var found: [String] = []
        if let problem = Self.endpointProblem(endpoint) { found.append("endpoint " + problem) }
        if let problem = Self.bucketProblem(bucket) { found.append("bucket " + problem) }
        if !Self.isValidRegion(region) { found.append("region must be 1-32 of a-z, 0-9 and '-' (e.g. us-east-1)") }
        if prefix.hasPrefix("/") || prefix.utf8.count > 512 || prefix.contains(where: { $0.isNewline || $0 == "\0" }) {
            found.append("prefix must not start with '/', hold control characters or exceed 512 bytes")
        }
        if let file = credentialsFile, file.isEmpty { found.append("credentialsFile must be null or a path") }
        return found
    }

    /// Why `endpoint` is not an `http(s)://host[:port]` URL, or nil.
    static func endpointProblem(_ endpoint: String) -> String? {
        guard let url = URLComponents(string: endpoint), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https" else { return "must be an http:// or https:// URL" }
        guard let host = url.host, !host.isEmpty else { return "must name a host" }
        guard url.user == nil, url.password == nil else { return "must not hold a user name or password" }
        guard url.path.isEmpty || url.path == "/", url.query == nil, url.fragment == nil else {
            return "must not have a path, query or fragment"
        }
        return nil
    }

    /// Why `bucket` breaks the S3 bucket naming rules, or nil: 3-63 characters of lowercase
    /// letters, digits, '.' and '-', starting and ending with a letter or digit, no "..", not an
    /// IPv4 address.
    static func bucketProblem(_ bucket: String) -> String? {
        let chars = Array(bucket.utf8)
        guard (3...63).contains(chars.count) else { return "must be 3-63 characters long" }
        let allowed = { (c: UInt8) in (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 46 || c == 45 }
        let alnum = { (c: UInt8) in (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        guard chars.allSatisfy(allowed) else { return "may hold only lowercase letters, digits, '.' and '-'" }
        guard alnum(chars.first!), alnum(chars.last!) else { return "must start and end with a letter or digit" }
        guard !bucket.contains("..") else { return "must not hold \"..\"" }
        let parts = bucket.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4 && parts.allSatisfy({ UInt8($0) != nil }) { return "must not look like an IP address" }
        return nil
    }

    static func isValidRegion(_ region: String) -> Bool {
        let chars = Array(region.utf8)
        return (1...32).contains(chars.count) && chars.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }

    /// The key of `name` for a video: `<prefix><videoId>/<name>`.
    public func key(videoId: String, name: String) -> String { prefix + videoId + "/" + name }

    /// The object's URL (path-style or virtual-host), with the key percent-encoded as SigV4 wants.
    public func objectURL(key: String, query: [(String, String)] = []) -> String {
        var url = bucketURL + "/" + S3Encoding.path(key)
        if !query.isEmpty { url += "?" + S3Encoding.query(query) }
        return url
    }

    /// The bucket's URL, without a trailing slash.
    public var bucketURL: String {
        if pathStyle { return endpoint + "/" + bucket }
        guard let range = endpoint.range(of: "://") else { return endpoint + "/" + bucket }
        return endpoint[..<range.upperBound] + bucket + "." + endpoint[range.upperBound...]
    }
}

/// The percent-encoding SigV4 signs: every byte but `A-Z a-z 0-9 - _ . ~` (and `/` in paths).
/// libcurl 7.88 signs the path and query as written, so they are written canonically here
/// (query pairs sorted, `uploads=` rather than `uploads`).
enum S3Encoding {
    static func path(_ key: String) -> String { encode(key, keepSlash: true) }

    static func query(_ pairs: [(String, String)]) -> String {
        let encoded: [String] = pairs.map { pair in
            encode(pair.0, keepSlash: false) + "=" + encode(pair.1, keepSlash: false)
        }
        return encoded.sorted().joined(separator: "&")
    }

    static func encode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(Character(Unicode.Scalar(byte)))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"): return true
        default: return false
        }
    }
}
