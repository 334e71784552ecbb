import CCurl
import Glibc

/// The state of one attempt, shared with the libcurl callbacks through their
/// user-data pointer. Lives on the thread running `curl_easy_perform`.
final class TransferContext {
    let sink: FileSink
    let maxBytes: Int64
    let addressPolicy: AddressPolicy
    let stallSeconds: Double
    let progress: (@Sendable (Int64, Int64?) -> Void)?
    let shouldCancel: (@Sendable () -> Bool)?

    /// Body bytes of the final response accepted so far.
    var bodyBytes: Int64 = 0
    /// Status of the response whose headers were seen last.
    var status: Int?
    /// Content-Length announced by that response.
    var contentLength: Int64?
    /// Monotonic time of the last byte (header or body) or connection.
    var lastActivity: Double
    private var lastReport: Double = 0

    /// Why a connection was refused (the address policy), when one was.
    var blockedReason: String?
    /// Addresses connected to, in order.
    var connectedAddresses: [NetworkAddress] = []
    /// Why the size cap was hit, when it was.
    var sizeExceeded: String?
    /// A failed write to the destination.
    var localFault: DownloadError?
    /// Seconds without a byte when the stall watchdog fired.
    var stalledAfter: Double?
    /// `shouldCancel` returned true.
    var cancelled = false
    /// The body of a non-2xx response was refused (status decides the outcome).
    var abortedForStatus = false

    init(sink: FileSink, policy: DownloadPolicy,
         progress: (@Sendable (Int64, Int64?) -> Void)?, shouldCancel: (@Sendable () -> Bool)?) {
        self.sink = sink
        maxBytes = policy.maxBytes
        addressPolicy = AddressPolicy(allowedNetworks: policy.allowedNetworks)
        stallSeconds = policy.stallTimeoutSeconds
        self.progress = progress
        self.shouldCancel = shouldCancel
        lastActivity = monotonicSeconds()
    }

    /// Reports progress now and then (at most every 0.25 s, or always if `force`).
    func report(force: Bool = false) {
        guard let progress else { return }
        let now = monotonicSeconds()
        guard force || now - lastReport >= 0.25 else { return }
        lastReport = now
        progress(bodyBytes, isSuccessStatus ? contentLength : nil)
    }

    var isSuccessStatus: Bool { status.map { (200..<300).contains($0) } ?? false }

    // MARK: - Callbacks

    /// CURLOPT_HEADERFUNCTION: one header line (status lines included) of any response.
    func header(_ bytes: UnsafeRawBufferPointer) -> Bool {
        lastActivity = monotonicSeconds()
        let line = String(decoding: bytes, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            let fields = line.split(separator: " ", maxSplits: 2)
            status = fields.count >= 2 ? Int(fields[1]) : nil
            contentLength = nil
            return true
        }
        guard let colon = line.firstIndex(of: ":") else { return true }
        guard line[..<colon].lowercased() == "content-length" else { return true }
        let value = line[line.index(after: colon)...].trimmedOfSpaces()
        guard let length = Int64(value) else { return true }
        contentLength = length
        if isSuccessStatus && length > maxBytes {
            sizeExceeded = "announced Content-Length \(length) is over the limit of \(maxBytes) bytes"
            return false
        }
        return true
    }

    /// CURLOPT_WRITEFUNCTION: body bytes of the final response.
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        lastActivity = monotonicSeconds()
        guard isSuccessStatus else {
            abortedForStatus = true
            return false
        }
        let count = Int64(bytes.count)
        guard bodyBytes + count <= maxBytes else {
            sizeExceeded = "body passed the limit of \(maxBytes) bytes after \(bodyBytes + count) bytes"
            return false
        }
        if let base = bytes.baseAddress, let error = sink.append(base, count: bytes.count) {
            localFault = FileSink.fault("write", sink.path, error)
            return false
        }
        bodyBytes += count
        report()
        return true
    }

    /// CURLOPT_XFERINFOFUNCTION: cancellation and the stall watchdog.
    func tick() -> Bool {
        if let shouldCancel, shouldCancel() {
            cancelled = true
            return false
        }
        let idle = monotonicSeconds() - lastActivity
        if idle > stallSeconds {
            stalledAfter = idle
            return false
        }
        report()
        return true
    }

    /// CURLOPT_OPENSOCKETFUNCTION: checks the address about to be connected to.
    func openSocket(purpose: curlsocktype, address pointer: UnsafeMutablePointer<curl_sockaddr>) -> curl_socket_t {
        let opened = GuardedSocket.open(pointer, policy: addressPolicy)
        if let refusal = opened.refusal { blockedReason = refusal }
        if let address = opened.connected {
            lastActivity = monotonicSeconds()
            connectedAddresses.append(address)
        }
        return opened.socket
    }
}

// MARK: - C entry points (no captures; the context comes through user data)

private func context(_ userData: UnsafeMutableRawPointer?) -> TransferContext {
    Unmanaged<TransferContext>.fromOpaque(userData!).takeUnretainedValue()
}

func curlWriteCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userData: UnsafeMutableRawPointer?) -> Int {
    let total = size * count
    guard total > 0, let data else { return 0 }
    return context(userData).write(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
}

func curlHeaderCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userData: UnsafeMutableRawPointer?) -> Int {
    let total = size * count
    guard total > 0, let data else { return 0 }
    return context(userData).header(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
}

func curlXferInfoCallback(_ userData: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t) -> Int32 {
    context(userData).tick() ? 0 : 1
}

func curlOpenSocketCallback(_ userData: UnsafeMutableRawPointer?, _ purpose: curlsocktype, _ address: UnsafeMutablePointer<curl_sockaddr>?) -> curl_socket_t {
    guard let address else { return CCurl_SOCKET_BAD() }
    return context(userData).openSocket(purpose: purpose, address: address)
}
