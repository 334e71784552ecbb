/// A completed download.
public struct DownloadResult: Sendable, Equatable {
    /// The destination file, complete and `fsync`ed.
    public var path: String
    /// Body bytes written.
    public var bytes: Int64
    /// Lowercase hex SHA-256 of the body, computed while it was written.
    public var sha256: String
    /// The URL finally fetched, after redirects.
    public var effectiveURL: String
    /// The final HTTP status (2xx).
    public var httpStatus: Int
    /// The final response's Content-Type, when given.
    public var contentType: String?
    /// Attempts made, 1 when the first succeeded.
    public var attempts: Int

    /// Creates a result.
    public init(path: String, bytes: Int64, sha256: String, effectiveURL: String, httpStatus: Int, contentType: String?,
                attempts: Int) {
        self.path = path
        self.bytes = bytes
        self.sha256 = sha256
        self.effectiveURL = effectiveURL
        self.httpStatus = httpStatus
        self.contentType = contentType
        self.attempts = attempts
    }
}
