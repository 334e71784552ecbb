/// What went wrong with a download, in the terms of the contract's error codes.
///
/// `DownloadOutcomeMapping.swift` is the one place that decides which case a
/// curl result, HTTP status or local fault becomes.
public enum DownloadFailure: String, Sendable, CaseIterable {
    /// The URL cannot be fetched as given: bad syntax, userinfo, control
    /// characters, unsupported scheme (also after a redirect), unresolvable
    /// host, or a blocked (non-public, not allowed) address.
    /// Contract: `seller.integration.video.url.invalid`.
    case urlInvalid
    /// The server answered with an error, the connection broke, or there were
    /// too many redirects (after retries for transient faults).
    /// Contract: `seller.integration.video.download.failed`.
    case failed
    /// The whole download took longer than the timeout, or no byte arrived for
    /// the stall timeout. Contract: `seller.integration.video.download.timeout`.
    case timeout
    /// The body is, or would become, larger than `maxBytes`.
    /// Contract: `seller.integration.video.size.exceeded`.
    case sizeExceeded
    /// Our own fault (disk full, I/O error, libcurl could not start): not the
    /// seller's; the job should be retried later and never FAILED for it.
    case localFault
    /// `shouldCancel` returned true; the transfer was abandoned. Not the seller's.
    case cancelled
    /// The policy is malformed (for example an unparsable CIDR). Not the seller's.
    case invalidConfig

    /// True for failures that are the seller's (they end the job as FAILED).
    public var isSellerFailure: Bool {
        switch self {
        case .urlInvalid, .failed, .timeout, .sizeExceeded: return true
        case .localFault, .cancelled, .invalidConfig: return false
        }
    }
}

/// The single error type of the IngestDownload layer.
public struct DownloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The contract-level category.
    public var failure: DownloadFailure
    /// A human-readable explanation (curl's error text, the blocked address, ...).
    public var message: String
    /// The last HTTP status received, when one was.
    public var httpStatus: Int?
    /// The libcurl `CURLcode` of the last attempt, when curl ran.
    public var curlCode: Int?

    /// Creates an error.
    public init(_ failure: DownloadFailure, _ message: String, httpStatus: Int? = nil, curlCode: Int? = nil) {
        self.failure = failure
        self.message = message
        self.httpStatus = httpStatus
        self.curlCode = curlCode
    }

    /// `"timeout: no byte for 30.0 s (curl 42)"`.
    public var description: String {
        var text = "\(failure.rawValue): \(message)"
        var extras: [String] = []
        if let httpStatus { extras.append("HTTP \(httpStatus)") }
        if let curlCode { extras.append("curl \(curlCode)") }
        if !extras.isEmpty { text += " (\(extras.joined(separator: ", ")))" }
        return text
    }
}
