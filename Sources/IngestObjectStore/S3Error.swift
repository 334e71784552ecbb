/// The single error type of the IngestObjectStore layer. Its text names the operation, the bucket
/// and key, the HTTP status and the S3 error code; it never holds a credential.
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure it is, which decides whether a retry can help.
    public enum Code: String, Sendable {
        /// 403: the credentials are wrong or lack the permission (`AccessDenied`, `SignatureDoesNotMatch`, …).
        case accessDenied
        /// 404: no such bucket or key.
        case notFound
        /// Another 3xx/4xx answer (`InvalidBucketName`, a redirect that is not followed, …).
        case rejected
        /// 5xx, 429 or a `SlowDown`-like code: the store is busy or broken; retried.
        case unavailable
        /// The connection failed or broke (refused, reset, timed out); retried.
        case unreachable
        /// A local problem: the file to upload cannot be read, libcurl cannot start.
        case localFault
        /// The settings or credentials are unusable (no key, a malformed endpoint).
        case invalidConfig
        /// `shouldCancel` returned true.
        case cancelled
    }

    public var code: Code
    /// A human explanation (the server's `<Message>`, curl's text, …).
    public var message: String
    /// The request, as `"PUT videos/abc/video_hd.mp4"` (bucket and key, never the URL's credentials).
    public var operation: String?
    /// The HTTP status, when an answer came.
    public var httpStatus: Int?
    /// The S3 error code of the answer's XML body (`SignatureDoesNotMatch`, `NoSuchBucket`, `SlowDown`).
    public var s3Code: String?
    /// The libcurl `CURLcode`, when the transfer itself failed.
    public var curlCode: Int?

    public init(_ code: Code, _ message: String, operation: String? = nil, httpStatus: Int? = nil,
                s3Code: String? = nil, curlCode: Int? = nil) {
        self.code = code
        self.message = message
        self.operation = operation
        self.httpStatus = httpStatus
        self.s3Code = s3Code
        self.curlCode = curlCode
    }

    /// Whether the same request may succeed later (5xx, 429, `SlowDown`, connection faults).
    public var isRetryable: Bool { code == .unavailable || code == .unreachable }

    /// `"S3 PUT videos/k: HTTP 403 SignatureDoesNotMatch: The request signature … (after 1 attempt)"`.
    public var description: String {
        var text = "S3"
        if let operation { text += " " + operation }
        text += ":"
        if let httpStatus { text += " HTTP \(httpStatus)" }
        if let s3Code { text += " " + s3Code }
        if httpStatus == nil && s3Code == nil { text += " " + code.rawValue }
        if !message.isEmpty { text += ": " + message }
        if let curlCode { text += " (curl \(curlCode))" }
        return text
    }
}
