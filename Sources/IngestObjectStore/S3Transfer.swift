import CCurl
import Foundation
import IngestCurl

/// One S3 request: method, URL, extra headers and the body.
struct S3Request {
    enum Body {
        case none
        /// Bytes sent as the body (the multipart "complete" XML).
        case bytes([UInt8])
        /// `length` bytes of the file at `path` from `offset`, streamed (never read whole).
        case file(path: String, offset: Int64, length: Int64)
    }

    var method: String
    var url: String
    var headers: [String] = []
    var body: Body = .none
    /// `"PUT bucket/key"`, for errors and logs.
    var operation: String
}

/// What came back: the final status, the headers (lowercased names) and up to 1 MiB of body.
struct S3Response {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Runs S3 requests on one reusable libcurl handle (so consecutive requests share a connection),
/// signed by libcurl's `CURLOPT_AWS_SIGV4`. Redirects are not followed; no proxy is used.
/// Blocking; one transfer at a time on the calling thread.
final class S3Transfer {
    private let easy: CurlEasy
    private let region: String
    private let credentials: S3Credentials
    private let timeouts: S3Client.Timeouts

    init(region: String, credentials: S3Credentials, timeouts: S3Client.Timeouts) throws(S3Error) {
        do throws(CurlError) { easy = try CurlEasy() } catch { throw S3Error(.localFault, error.message, curlCode: error.curlCode) }
        self.region = region
        self.credentials = credentials
        self.timeouts = timeouts
    }

    /// Sends `request` once. Returns the answer whatever its status; throws for a transfer that
    /// got no complete answer (`.unreachable`), a local read failure or a cancellation.
    func send(_ request: S3Request, shouldCancel: (@Sendable () -> Bool)?) throws(S3Error) -> S3Response {
        let context = S3TransferContext(body: request.body, shouldCancel: shouldCancel, stallSeconds: timeouts.stallSeconds)
        if case .file(let path, _, _) = request.body {
            context.fd = open(path, O_RDONLY | O_CLOEXEC)
            guard context.fd >= 0 else {
                throw S3Error(.localFault, "cannot open \(path): \(String(cString: strerror(errno)))", operation: request.operation)
            }
        }
        defer { if context.fd >= 0 { close(context.fd) } }
        var lines = request.headers + ["x-amz-content-sha256: UNSIGNED-PAYLOAD"]
        if let token = credentials.sessionToken { lines.append("x-amz-security-token: " + token) }
        let code: CURLcode
        let message: String
        do throws(CurlError) {
            let headers = try CurlHeaderList(lines)
            try configure(request, context: context, headers: headers)
            (code, message) = withExtendedLifetime((context, headers)) { easy.perform() }
        } catch {
            throw S3Error(.localFault, error.message, operation: request.operation, curlCode: error.curlCode)
        }
        if let readError = context.readError { throw S3Error(.localFault, readError, operation: request.operation) }
        if context.cancelled { throw S3Error(.cancelled, "cancelled", operation: request.operation) }
        if let idle = context.stalledAfter {
            throw S3Error(.unreachable, "no progress for \(Int(idle)) s", operation: request.operation, curlCode: Int(code.rawValue))
        }
        guard code == CURLE_OK, let status = easy.infoInt(CURLINFO_RESPONSE_CODE), status > 0 else {
            throw S3Error(.unreachable, message, operation: request.operation, curlCode: Int(code.rawValue))
        }
        return S3Response(status: status, headers: context.headers, body: context.responseBody)
    }

    private func configure(_ request: S3Request, context: S3TransferContext, headers: CurlHeaderList) throws(CurlError) {
        easy.reset()
        let userData = Unmanaged.passUnretained(context).toOpaque()
        try easy.set(CURLOPT_URL, request.url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_FOLLOWLOCATION, 0)
        try easy.set(CURLOPT_PROXY, "")
        try easy.set(CURLOPT_NOPROXY, "*")
        try easy.set(CURLOPT_NOSIGNAL, 1)
        try easy.set(CURLOPT_USERAGENT, S3Client.userAgent)
        try easy.set(CURLOPT_AWS_SIGV4, "aws:amz:\(region):s3")
        try easy.set(CURLOPT_USERPWD, credentials.userPassword)
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, Int(timeouts.connectSeconds * 1000))
        try easy.set(CURLOPT_BUFFERSIZE, 256 * 1024)
        try easy.set(CURLOPT_UPLOAD_BUFFERSIZE, 2 * 1024 * 1024)
        try easy.setHeaders(headers)
        try easy.setWriteFunction(s3WriteCallback)
        try easy.set(CURLOPT_WRITEDATA, pointer: userData)
        try easy.setHeaderFunction(s3HeaderCallback)
        try easy.set(CURLOPT_HEADERDATA, pointer: userData)
        try easy.set(CURLOPT_NOPROGRESS, 0)
        try easy.setXferInfoFunction(s3XferInfoCallback)
        try easy.set(CURLOPT_XFERINFODATA, pointer: userData)
        switch request.method {
        case "HEAD": try easy.set(CURLOPT_NOBODY, 1)
        case "GET": break
        case "PUT": try easy.set(CURLOPT_UPLOAD, 1)
        case "POST": try easy.set(CURLOPT_POST, 1)
        default: try easy.set(CURLOPT_CUSTOMREQUEST, request.method)
        }
        switch request.body {
        case .none:
            if request.method == "POST" {
                try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offT: 0)
                try easy.set(CURLOPT_COPYPOSTFIELDS, "")
            } else if request.method == "PUT" {
                try easy.set(CURLOPT_INFILESIZE_LARGE, offT: 0)
            }
        case .bytes(let bytes):
            try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offT: Int64(bytes.count))
            try easy.set(CURLOPT_COPYPOSTFIELDS, String(decoding: bytes, as: UTF8.self))
        case .file(_, _, let length):
            try easy.set(CURLOPT_INFILESIZE_LARGE, offT: length)
            try easy.setReadFunction(s3ReadCallback)
            try easy.set(CURLOPT_READDATA, pointer: userData)
        }
    }
}

/// The state of one transfer, shared with the libcurl callbacks through their user-data pointer.
final class S3TransferContext {
    static let maxResponseBody = 1 << 20

    let shouldCancel: (@Sendable () -> Bool)?
    let stallSeconds: Double
    var fd: Int32 = -1
    var offset: Int64 = 0
    var remaining: Int64 = 0
    var headers: [String: String] = [:]
    var responseBody: [UInt8] = []
    var readError: String?
    var cancelled = false
    var stalledAfter: Double?
    private var lastActivity = ProcessInfo.processInfo.systemUptime
    private var lastProgress: (curl_off_t, curl_off_t) = (0, 0)

    init(body: S3Request.Body, shouldCancel: (@Sendable () -> Bool)?, stallSeconds: Double) {
        self.shouldCancel = shouldCancel
        self.stallSeconds = stallSeconds
        if case .file(_, let offset, let length) = body {
            self.offset = offset
            remaining = length
        }
    }

    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        let wanted = Int(min(Int64(capacity), remaining))
        if wanted == 0 { return 0 }
        var got: Int
        repeat { got = pread(fd, buffer, wanted, off_t(offset)) } while got < 0 && errno == EINTR
        guard got > 0 else {
            readError = got == 0 ? "the file ended \(remaining) bytes early" : "read: \(String(cString: strerror(errno)))"
            return Int(CURL_READFUNC_ABORT)
        }
        offset += Int64(got)
        remaining -= Int64(got)
        return got
    }

    func header(_ line: String) {
        if line.hasPrefix("HTTP/") { headers = [:]; return }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func write(_ bytes: UnsafeRawBufferPointer) {
        let room = Self.maxResponseBody - responseBody.count
        if room > 0 { responseBody.append(contentsOf: bytes.prefix(room)) }
    }

    /// Cancellation and the stall watchdog (no byte up or down for `stallSeconds`).
    func tick(uploaded: curl_off_t, downloaded: curl_off_t) -> Bool {
        if let shouldCancel, shouldCancel() { cancelled = true; return false }
        let now = ProcessInfo.processInfo.systemUptime
        if (uploaded, downloaded) != lastProgress {
            lastProgress = (uploaded, downloaded)
            lastActivity = now
        } else if now - lastActivity > stallSeconds {
            stalledAfter = now - lastActivity
            return false
        }
        return true
    }
}

// MARK: - C entry points (no captures; the context comes through user data)

private func transferContext(_ userData: UnsafeMutableRawPointer?) -> S3TransferContext {
    Unmanaged<S3TransferContext>.fromOpaque(userData!).takeUnretainedValue()
}

private func s3ReadCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userData: UnsafeMutableRawPointer?) -> Int {
    guard let data else { return Int(CURL_READFUNC_ABORT) }
    return transferContext(userData).read(into: UnsafeMutableRawPointer(data), capacity: size * count)
}

private func s3WriteCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userData: UnsafeMutableRawPointer?) -> Int {
    let total = size * count
    if let data, total > 0 { transferContext(userData).write(UnsafeRawBufferPointer(start: data, count: total)) }
    return total
}

private func s3HeaderCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userData: UnsafeMutableRawPointer?) -> Int {
    let total = size * count
    if let data, total > 0 {
        transferContext(userData).header(String(decoding: UnsafeRawBufferPointer(start: data, count: total), as: UTF8.self))
    }
    return total
}

private func s3XferInfoCallback(_ userData: UnsafeMutableRawPointer?, _: curl_off_t, _ downloaded: curl_off_t, _: curl_off_t, _ uploaded: curl_off_t) -> Int32 {
    transferContext(userData).tick(uploaded: uploaded, downloaded: downloaded) ? 0 : 1
}
