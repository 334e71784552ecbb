/// The limits of one download, built by the daemon from `download.*` and
/// `limits.maxFileSizeBytes` of the config (CONTRACT.md section 7). It has no defaults of its
/// own: the contract's defaults live in one table, `IngestConfig`, which makes every policy
/// (`IngestConfig.downloadPolicy`).
public struct DownloadPolicy: Sendable, Equatable {
    /// The whole download, all attempts and backoff included, in seconds.
    public var timeoutSeconds: Double
    /// No byte (header or body) for this long ends the attempt as `.timeout`.
    public var stallTimeoutSeconds: Double
    /// Redirects followed at most; one more is `.failed`.
    public var maxRedirects: Int
    /// Extra attempts for transient faults (HTTP 5xx, refused/reset connections,
    /// truncated bodies). Timeouts, 4xx and size are final.
    public var retries: Int
    /// Backoff before the first retry; doubled before each further retry.
    public var retryBackoffSeconds: Double
    /// The largest body accepted, in bytes.
    public var maxBytes: Int64
    /// Non-public ranges that may nevertheless be connected to (tests, on-prem CDNs).
    public var allowedNetworks: [CIDR]

    /// Creates a policy from explicit values.
    public init(timeoutSeconds: Double, stallTimeoutSeconds: Double, maxRedirects: Int, retries: Int,
                retryBackoffSeconds: Double, maxBytes: Int64, allowedNetworks: [CIDR]) {
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
