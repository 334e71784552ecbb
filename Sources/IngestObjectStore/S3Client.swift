import Foundation

/// What a HEAD of an object tells.
public struct S3ObjectInfo: Sendable, Equatable {
    public var size: Int64
    public var contentType: String?
    public var etag: String?
    /// `x-amz-meta-*` headers, by the name after the prefix.
    public var metadata: [String: String]
}

/// An S3-compatible object-store client on libcurl (`CURLOPT_AWS_SIGV4`): PUT (multipart above
/// `multipartThreshold`), HEAD, DELETE, with retries and backoff on 5xx, 429, `SlowDown` and
/// connection faults, none on 403/404 or other 4xx. Redirects are not followed.
///
/// Blocking; one client serves one thread at a time (it keeps one libcurl handle, so consecutive
/// requests reuse the connection). Create one per job or per thread.
public final class S3Client {
    /// The User-Agent of every request.
    public static let userAgent = "video-ingest/1.0"

    /// Connection and stall limits of one request.
    public struct Timeouts: Sendable {
        public var connectSeconds: Double = 10
        /// No byte up or down for this long ends the attempt (retried).
        public var stallSeconds: Double = 30
        public init() {}
    }

    /// How uploads are split and failures retried.
    public struct Options: Sendable {
        /// Files larger than this go up by multipart upload.
        public var multipartThreshold: Int64 = 16 << 20
        /// The part size of a multipart upload (S3 wants 5 MiB at least; grown to keep ≤ 10,000 parts).
        public var partSize: Int64 = 8 << 20
        /// Parts of one multipart upload in flight at once, each on its own connection.
        public var parallelParts = 2
        /// Attempts of one request, the first included.
        public var attempts = 4
        /// First retry delay; doubles (with ±25 % jitter) up to `maxBackoffSeconds`.
        public var backoffSeconds = 0.25
        public var maxBackoffSeconds = 4.0
        public var timeouts = Timeouts()
        public init() {}
    }

    public let settings: S3Settings
    public let options: Options
    private let transfer: S3Transfer
    private let credentials: S3Credentials
    private let shouldCancel: (@Sendable () -> Bool)?

    /// A client for `settings` signing with `credentials`. `shouldCancel` is polled during
    /// transfers and backoffs (a stopping daemon).
    public init(settings: S3Settings, credentials: S3Credentials, options: Options = Options(),
                shouldCancel: (@Sendable () -> Bool)? = nil) throws(S3Error) {
        self.settings = settings
        self.options = options
        self.shouldCancel = shouldCancel
        self.credentials = credentials
        transfer = try S3Transfer(region: settings.region, credentials: credentials, timeouts: options.timeouts)
    }

    // MARK: - Operations

    /// Uploads the file at `path` as `key` with `contentType` and `metadata` (`x-amz-meta-<name>`):
    /// one PUT, or a multipart upload above the threshold (aborted when it fails).
    public func upload(file path: String, key: String, contentType: String, metadata: [String: String] = [:]) throws(S3Error) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw S3Error(.localFault, "cannot stat \(path): \(String(cString: strerror(errno)))", operation: "PUT \(settings.bucket)/\(key)")
        }
        let size = Int64(info.st_size)
        var headers = ["Content-Type: " + contentType]
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) { headers.append("x-amz-meta-\(name): \(value)") }
        if size <= options.multipartThreshold {
            let request = S3Request(method: "PUT", url: settings.objectURL(key: key), headers: headers,
                                    body: .file(path: path, offset: 0, length: size), operation: "PUT \(settings.bucket)/\(key)")
            _ = try send(request)
        } else {
            try MultipartUpload(client: self, key: key, path: path, size: size, headers: headers).run()
        }
    }

    /// The object's size, type and metadata, or nil when there is no such key.
    public func head(key: String) throws(S3Error) -> S3ObjectInfo? {
        let request = S3Request(method: "HEAD", url: settings.objectURL(key: key), operation: "HEAD \(settings.bucket)/\(key)")
        let response: S3Response
        do throws(S3Error) { response = try send(request) } catch where error.code == .notFound { return nil }
        var metadata: [String: String] = [:]
        for (name, value) in response.headers where name.hasPrefix("x-amz-meta-") {
            metadata[String(name.dropFirst("x-amz-meta-".count))] = value
        }
        return S3ObjectInfo(size: Int64(response.headers["content-length"] ?? "") ?? -1, contentType: response.headers["content-type"],
                            etag: response.headers["etag"], metadata: metadata)
    }

    /// Deletes `key`; a key that is not there counts as deleted.
    public func delete(key: String) throws(S3Error) {
        let request = S3Request(method: "DELETE", url: settings.objectURL(key: key), operation: "DELETE \(settings.bucket)/\(key)")
        do throws(S3Error) { _ = try send(request) } catch where error.code == .notFound && error.s3Code != "NoSuchBucket" { return }
    }

    /// One HEAD on the bucket, not retried (`config check --connect`): returns when the bucket
    /// exists and the credentials may use it.
    public func checkBucket() throws(S3Error) {
        let request = S3Request(method: "HEAD", url: settings.bucketURL + "/", operation: "HEAD \(settings.bucket)")
        _ = try send(request, attempts: 1)
    }

    /// Another client with the same settings and its own connection (a multipart upload's lane).
    func sibling() throws(S3Error) -> S3Client {
        try S3Client(settings: settings, credentials: credentials, options: options, shouldCancel: shouldCancel)
    }

    // MARK: - Requests and retries

    /// Sends `request`, retrying what may succeed later; returns a 2xx answer or throws.
    func send(_ request: S3Request, attempts: Int? = nil) throws(S3Error) -> S3Response {
        let limit = max(1, attempts ?? options.attempts)
        var attempt = 0
        while true {
            attempt += 1
            var failure: S3Error
            do throws(S3Error) {
                let response = try transfer.send(request, shouldCancel: shouldCancel)
                guard let error = Self.failure(of: response, request: request) else { return response }
                failure = error
            } catch {
                failure = error
            }
            guard failure.isRetryable, attempt < limit else {
                if failure.isRetryable { failure.message += " (after \(attempt) attempts)" }
                throw failure
            }
            try pause(backoff(attempt: attempt))
        }
    }

    /// The error an answer stands for, or nil for a 2xx answer without an `<Error>` body
    /// (a multipart "complete" can fail with 200 and an error body).
    static func failure(of response: S3Response, request: S3Request) -> S3Error? {
        let text = response.body.isEmpty ? "" : response.bodyText
        let s3Code = text.contains("<Error>") ? S3XML.value("Code", in: text) : nil
        if (200..<300).contains(response.status) && s3Code == nil { return nil }
        let message = text.contains("<Error>") ? (S3XML.value("Message", in: text) ?? "") : ""
        let code: S3Error.Code
        switch (response.status, s3Code) {
        case (_, "SlowDown"?), (_, "RequestTimeout"?), (_, "InternalError"?), (_, "ServiceUnavailable"?): code = .unavailable
        case (429, _), (500..., _): code = .unavailable
        case (403, _): code = .accessDenied
        case (404, _): code = .notFound
        default: code = .rejected
        }
        var fallback = HTTPStatusText.reason(response.status)
        if (300..<400).contains(response.status) { fallback += "; redirects are not followed" }
        return S3Error(code, message.isEmpty ? fallback : message, operation: request.operation,
                       httpStatus: response.status, s3Code: s3Code)
    }

    private func backoff(attempt: Int) -> Double {
        let base = min(options.maxBackoffSeconds, options.backoffSeconds * pow(2, Double(attempt - 1)))
        return base * Double.random(in: 0.75...1.25)
    }

    /// Sleeps in short slices, polling `shouldCancel`.
    private func pause(_ seconds: Double) throws(S3Error) {
        let end = ProcessInfo.processInfo.systemUptime + seconds
        while ProcessInfo.processInfo.systemUptime < end {
            if shouldCancel?() == true { throw S3Error(.cancelled, "cancelled") }
            usleep(useconds_t(min(0.05, max(0, end - ProcessInfo.processInfo.systemUptime)) * 1_000_000))
        }
    }
}

/// Reason phrases for the statuses an S3 server answers without a body (HEAD).
enum HTTPStatusText {
    static func reason(_ status: Int) -> String {
        switch status {
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 307: return "Temporary Redirect"
        case 400: return "Bad Request"
        case 403: return "Forbidden (access denied or wrong credentials)"
        case 404: return "Not Found"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "HTTP status \(status)"
        }
    }
}
