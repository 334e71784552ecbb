import CCurl
import Glibc
import IngestCurl

/// The guarded downloader: libcurl restricted to http/https, every connected
/// address checked against `AddressPolicy`, size, time and stall limits, and
/// retries of transient faults with exponential backoff.
public final class Downloader: Sendable {
    /// The User-Agent sent with every request.
    public static let userAgent = "video-ingest/1.0"

    /// Creates a downloader. It holds no state; one instance may serve many threads.
    public init() {}

    /// Blocking: streams `url` into `destination` (created or truncated; its
    /// directory must exist), retrying transient faults per `policy`.
    ///
    /// - Parameters:
    ///   - progress: called now and then with the body bytes so far and the
    ///     announced total, if any; on the calling thread.
    ///   - shouldCancel: polled during the transfer and the backoff; when it
    ///     returns true the download ends with `.cancelled`.
    /// - Returns: the completed download.
    /// - Throws: `DownloadError`; its `failure` maps onto the contract's codes.
    ///   On failure the destination may hold a partial body (at most `maxBytes`).
    public func download(url: String, to destination: String, policy: DownloadPolicy,
                         progress: (@Sendable (Int64, Int64?) -> Void)? = nil,
                         shouldCancel: (@Sendable () -> Bool)? = nil) throws(DownloadError) -> DownloadResult {
        try policy.validate()
        if let refusal = URLPreflight.refusal(url) { throw DownloadError(.urlInvalid, refusal) }
        let sink = try FileSink(path: destination)
        let deadline = monotonicSeconds() + policy.timeoutSeconds
        var attempt = 0
        while true {
            attempt += 1
            if shouldCancel?() == true { throw DownloadError(.cancelled, "cancelled") }
            let remaining = deadline - monotonicSeconds()
            guard remaining > 0 else {
                throw DownloadError(.timeout, "the download took longer than \(policy.timeoutSeconds) s")
            }
            try sink.truncate()
            let context = TransferContext(sink: sink, policy: policy, progress: progress, shouldCancel: shouldCancel)
            let (outcome, easy) = try perform(url: url, context: context, policy: policy, remaining: remaining)
            switch verdict(for: outcome) {
            case .success:
                let digest = try sink.finish()
                context.report(force: true)
                return DownloadResult(path: destination, bytes: context.bodyBytes, sha256: digest,
                                      effectiveURL: easy.infoString(CURLINFO_EFFECTIVE_URL) ?? url,
                                      httpStatus: outcome.httpStatus ?? 200,
                                      contentType: easy.infoString(CURLINFO_CONTENT_TYPE), attempts: attempt)
            case .fail(let error):
                throw error
            case .retry(var error):
                let backoff = policy.retryBackoffSeconds * Double(1 << min(attempt - 1, 20))
                guard attempt <= policy.retries, monotonicSeconds() + backoff < deadline else {
                    error.message += " (after \(attempt) attempt\(attempt == 1 ? "" : "s"))"
                    throw error
                }
                try sleep(backoff, shouldCancel: shouldCancel)
            }
        }
    }

    /// One attempt: configures a fresh handle and runs it.
    private func perform(url: String, context: TransferContext, policy: DownloadPolicy,
                         remaining: Double) throws(DownloadError) -> (AttemptOutcome, CurlEasy) {
        let easy: CurlEasy
        do throws(CurlError) {
            easy = try CurlEasy()
            try configure(easy, url: url, context: context, policy: policy, remaining: remaining)
        } catch {
            throw DownloadError(.localFault, error.message, curlCode: error.curlCode)
        }
        let (code, message) = withExtendedLifetime(context) { easy.perform() }
        if context.localFault == nil, let error = context.sink.flushBuffer() {
            context.localFault = FileSink.fault("write", context.sink.path, error)
        }
        var outcome = AttemptOutcome(curlCode: code, curlMessage: message)
        outcome.httpStatus = easy.infoInt(CURLINFO_RESPONSE_CODE).flatMap { $0 > 0 ? $0 : nil } ?? context.status
        outcome.blockedReason = context.blockedReason
        outcome.sizeExceeded = context.sizeExceeded
        outcome.localFault = context.localFault
        outcome.stalledAfter = context.stalledAfter
        outcome.cancelled = context.cancelled
        outcome.abortedForStatus = context.abortedForStatus
        return (outcome, easy)
    }

    /// The options of one attempt: http/https only, no proxy, the limits, and the callbacks that
    /// check each connected address and the body.
    private func configure(_ easy: CurlEasy, url: String, context: TransferContext, policy: DownloadPolicy,
                           remaining: Double) throws(CurlError) {
        let userData = Unmanaged.passUnretained(context).toOpaque()
        try easy.set(CURLOPT_URL, url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_FOLLOWLOCATION, 1)
        try easy.set(CURLOPT_MAXREDIRS, policy.maxRedirects)
        try easy.set(CURLOPT_PROXY, "")
        try easy.set(CURLOPT_NOPROXY, "*")
        try easy.set(CURLOPT_NOSIGNAL, 1)
        try easy.set(CURLOPT_FAILONERROR, 0)
        try easy.set(CURLOPT_HTTP_CONTENT_DECODING, 0)
        try easy.set(CURLOPT_USERAGENT, Downloader.userAgent)
        try easy.set(CURLOPT_BUFFERSIZE, 64 * 1024)
        try easy.set(CURLOPT_TIMEOUT_MS, max(1, Int(remaining * 1000)))
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(min(policy.stallTimeoutSeconds, 30, remaining) * 1000)))
        try easy.set(CURLOPT_LOW_SPEED_LIMIT, 1)
        try easy.set(CURLOPT_LOW_SPEED_TIME, max(1, Int(policy.stallTimeoutSeconds.rounded(.up))))
        try easy.set(CURLOPT_MAXFILESIZE_LARGE, offT: policy.maxBytes)
        try easy.setWriteFunction(curlWriteCallback)
        try easy.set(CURLOPT_WRITEDATA, pointer: userData)
        try easy.setHeaderFunction(curlHeaderCallback)
        try easy.set(CURLOPT_HEADERDATA, pointer: userData)
        try easy.set(CURLOPT_NOPROGRESS, 0)
        try easy.setXferInfoFunction(curlXferInfoCallback)
        try easy.set(CURLOPT_XFERINFODATA, pointer: userData)
        try easy.setOpenSocketFunction(curlOpenSocketCallback)
        try easy.set(CURLOPT_OPENSOCKETDATA, pointer: userData)
    }

    /// Sleeps for the backoff in short slices, polling `shouldCancel`.
    private func sleep(_ seconds: Double, shouldCancel: (@Sendable () -> Bool)?) throws(DownloadError) {
        let end = monotonicSeconds() + seconds
        while true {
            if shouldCancel?() == true { throw DownloadError(.cancelled, "cancelled") }
            let left = end - monotonicSeconds()
            if left <= 0 { return }
            usleep(useconds_t(min(left, 0.05) * 1_000_000))
        }
    }
}
