/// The limits of one download, built by the daemon from `download.*` and
/// `limits.maxFileSizeBytes` of the config (CONTRACT.md section 7).
public struct DownloadPolicy: Sendable, Equatable {
    /// The whole download, all attempts and backoff included, in seconds.
    public var timeoutSeconds: Double = 300
    /// No byte (header or body) for this long ends the attempt as `.timeout`.
    public var stallTimeoutSeconds: Double = 30
    /// Redirects followed at most; one more is `.failed`.
    public var maxRedirects: Int = 5
    /// Extra attempts for transient faults (HTTP 5xx, refused/reset connections,
    /// truncated bodies). Timeouts, 4xx and size are final.
    public var retries: Int = 2
    /// Backoff before the first retry; doubled before each further retry.
    public var retryBackoffSeconds: Double = 1
    /// The largest body accepted, in bytes.
    public var maxBytes: Int64 = 524_288_000
    /// Non-public ranges that may nevertheless be connected to (tests, on-prem CDNs).
    public var allowedNetworks: [CIDR] = []

    /// Creates a policy; every parameter defaults to the contract's default.
    public init(timeoutSeconds: Double = 300, stallTimeoutSeconds: Double = 30, maxRedirects: Int = 5,
                retries: Int = 2, retryBackoffSeconds: Double = 1, maxBytes: Int64 = 524_288_000,
                allowedNetworks: [CIDR] = []) {
        self.timeoutSeconds = timeoutSeconds
        self.stallTimeoutSeconds = stallTimeoutSeconds
        self.maxRedirects = maxRedirects
        self.retries = retries
        self.retryBackoffSeconds = retryBackoffSeconds
        self.maxBytes = maxBytes
        self.allowedNetworks = allowedNetworks
    }

    /// Checks the values are usable.
    /// - Throws: `DownloadError(.invalidConfig, ...)` naming the bad value.
    public func validate() throws(DownloadError) {
        func bad(_ text: String) -> DownloadError { DownloadError(.invalidConfig, text) }
        guard timeoutSeconds.isFinite, timeoutSeconds > 0 else { throw bad("timeoutSeconds must be > 0") }
        guard stallTimeoutSeconds.isFinite, stallTimeoutSeconds > 0 else { throw bad("stallTimeoutSeconds must be > 0") }
        guard maxRedirects >= 0 else { throw bad("maxRedirects must be >= 0") }
        guard retries >= 0 else { throw bad("retries must be >= 0") }
        guard retryBackoffSeconds.isFinite, retryBackoffSeconds >= 0 else { throw bad("retryBackoffSeconds must be >= 0") }
        guard maxBytes > 0 else { throw bad("maxBytes must be > 0") }
    }
}
