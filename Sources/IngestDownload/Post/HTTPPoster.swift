import CCurl
import Glibc
import IngestCurl

/// Sends small POST requests (webhook deliveries) through libcurl with the downloader's address
/// guard: http/https only, every connected address checked against an `AddressPolicy`, no
/// redirects followed (a 3xx is an answer like any other), no proxy, one time limit for the
/// whole attempt. The answer's body is read and dropped past `answerLimit` bytes.
///
/// One poster keeps one easy handle, so consecutive posts to one receiver reuse its connection;
/// it belongs to one thread. A new policy drops the handle (and its kept connections), so a
/// connection made under an older policy is never reused.
public final class HTTPPoster {
    /// Bytes of an answer's body kept for `PostOutcome.answer`.
    public static let answerLimit = 512

    private var easy: CurlEasy?
    private var policy: AddressPolicy?

    /// Creates a poster; the handle is made at the first post.
    public init() {}

    /// Blocking: POSTs `body` to `url` with `headers` ("Name: value") and waits at most
    /// `timeoutSeconds` for the whole exchange.
    public func post(url: String, body: String, headers: [String], timeoutSeconds: Double, policy: AddressPolicy) -> PostOutcome {
        do {
            return try attempt(url: url, body: body, headers: headers, timeoutSeconds: timeoutSeconds, policy: policy)
        } catch {
            easy = nil
            return PostOutcome(error: error.message)
        }
    }

    private func attempt(url: String, body: String, headers: [String], timeoutSeconds: Double,
                         policy: AddressPolicy) throws(CurlError) -> PostOutcome {
        if policy != self.policy { easy = nil; self.policy = policy }
        let easy: CurlEasy
        if let kept = self.easy { easy = kept } else { easy = try CurlEasy() }
        self.easy = easy
        let context = PostContext(policy: policy)
        let userData = Unmanaged.passUnretained(context).toOpaque()
        let headerList = try CurlHeaderList(headers + ["Content-Type: application/json", "Expect:"])
        let bytes = Array(body.utf8)
        let timeoutMs = max(1, Int(timeoutSeconds * 1000))
        try easy.set(CURLOPT_URL, url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_FOLLOWLOCATION, 0)
        try easy.set(CURLOPT_PROXY, "")
        try easy.set(CURLOPT_NOPROXY, "*")
        try easy.set(CURLOPT_NOSIGNAL, 1)
        try easy.set(CURLOPT_USERAGENT, Downloader.userAgent)
        try easy.set(CURLOPT_TIMEOUT_MS, timeoutMs)
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, timeoutMs)
        try easy.set(CURLOPT_POST, 1)
        try easy.set(CURLOPT_POSTFIELDSIZE, bytes.count)
        try bytes.withUnsafeBufferPointer { buffer throws(CurlError) in
            // COPYPOSTFIELDS copies POSTFIELDSIZE bytes, so the buffer need not outlive this call.
            try easy.set(CURLOPT_COPYPOSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!))
        }
        try easy.setHeaders(headerList)
        try easy.setWriteFunction(postWriteCallback)
        try easy.set(CURLOPT_WRITEDATA, pointer: userData)
        try easy.setOpenSocketFunction(postOpenSocketCallback)
        try easy.set(CURLOPT_OPENSOCKETDATA, pointer: userData)

        let (code, message) = withExtendedLifetime((context, headerList)) { easy.perform() }
        let answer = String(decoding: context.answer, as: UTF8.self)
        if let refusal = context.refusal { return PostOutcome(refusal: refusal) }
        guard code == CURLE_OK else {
            return PostOutcome(error: message, timedOut: code == CURLE_OPERATION_TIMEDOUT, answer: answer)
        }
        return PostOutcome(status: easy.infoInt(CURLINFO_RESPONSE_CODE), answer: answer)
    }
}

/// The state of one POST, shared with the libcurl callbacks through their user-data pointer.
private final class PostContext {
    let policy: AddressPolicy
    var refusal: String?
    var answer: [UInt8] = []

    init(policy: AddressPolicy) { self.policy = policy }
}

private func postContext(_ userData: UnsafeMutableRawPointer?) -> PostContext {
    Unmanaged<PostContext>.fromOpaque(userData!).takeUnretainedValue()
}

private func postWriteCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userData: UnsafeMutableRawPointer?) -> Int {
    let total = size * count
    guard total > 0, let data else { return total }
    let context = postContext(userData)
    let room = HTTPPoster.answerLimit - context.answer.count
    if room > 0 {
        context.answer += UnsafeRawBufferPointer(start: data, count: min(room, total))
    }
    return total
}

private func postOpenSocketCallback(_ userData: UnsafeMutableRawPointer?, _ purpose: curlsocktype, _ address: UnsafeMutablePointer<curl_sockaddr>?) -> curl_socket_t {
    guard let address else { return CCurl_SOCKET_BAD() }
    let context = postContext(userData)
    let opened = GuardedSocket.open(address, policy: context.policy)
    if let refusal = opened.refusal { context.refusal = refusal }
    return opened.socket
}
