import CCurl

/// Owns one libcurl easy handle (`CURL *`); freed with `curl_easy_cleanup` in deinit. Shared by
/// the downloader (IngestDownload) and the object-store client (IngestObjectStore).
///
/// Not thread-safe: one handle belongs to one transfer at a time on one thread.
public final class CurlEasy {
    /// `curl_global_init` runs once per process, before the first handle.
    private static let globalInit: CURLcode = CCurl_global_init_default()

    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// Creates a handle.
    /// - Throws: `CurlError` when libcurl cannot initialise.
    public init() throws(CurlError) {
        guard CurlEasy.globalInit == CURLE_OK else {
            throw CurlError("curl_global_init failed", code: CurlEasy.globalInit)
        }
        guard let handle = curl_easy_init() else {
            throw CurlError("curl_easy_init failed", code: nil)
        }
        self.handle = handle
        let size = Int(CCurl_ERROR_SIZE())
        errorBuffer = .allocate(capacity: size)
        errorBuffer.initialize(repeating: 0, count: size)
        _ = CCurl_setopt_errorbuffer(handle, errorBuffer)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Sets a `long` option.
    public func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(CCurl_setopt_long(handle, option, value), option)
    }

    /// Sets a string option (libcurl copies the string).
    public func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        try check(CCurl_setopt_string(handle, option, value), option)
    }

    /// Sets a `curl_off_t` option.
    public func set(_ option: CURLoption, offT value: Int64) throws(CurlError) {
        try check(CCurl_setopt_offt(handle, option, curl_off_t(value)), option)
    }

    /// Sets a pointer option (callback user data); the pointee must outlive `perform`.
    public func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(CurlError) {
        try check(CCurl_setopt_pointer(handle, option, pointer), option)
    }

    /// Installs the body callback.
    public func setWriteFunction(_ function: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int) throws(CurlError) {
        try check(CCurl_setopt_write(handle, function), CURLOPT_WRITEFUNCTION)
    }

    /// Installs the header-line callback.
    public func setHeaderFunction(_ function: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int) throws(CurlError) {
        try check(CCurl_setopt_header(handle, function), CURLOPT_HEADERFUNCTION)
    }

    /// Installs the upload-body callback (`CURLOPT_READFUNCTION`).
    public func setReadFunction(_ function: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int) throws(CurlError) {
        try check(CCurl_setopt_read(handle, function), CURLOPT_READFUNCTION)
    }

    /// Sets the request's extra headers; `list` must outlive `perform`.
    public func setHeaders(_ list: CurlHeaderList) throws(CurlError) {
        try check(CCurl_setopt_slist(handle, CURLOPT_HTTPHEADER, list.head), CURLOPT_HTTPHEADER)
    }

    /// Forgets every option (`curl_easy_reset`) but keeps the connection cache, so the next
    /// request to the same host reuses the connection.
    public func reset() {
        curl_easy_reset(handle)
        _ = CCurl_setopt_errorbuffer(handle, errorBuffer)
    }

    /// Installs the progress callback (also needs `CURLOPT_NOPROGRESS 0`).
    public func setXferInfoFunction(_ function: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32) throws(CurlError) {
        try check(CCurl_setopt_xferinfo(handle, function), CURLOPT_XFERINFOFUNCTION)
    }

    /// Installs the socket-opening callback, which sees every address connected to.
    public func setOpenSocketFunction(_ function: @convention(c) (UnsafeMutableRawPointer?, curlsocktype, UnsafeMutablePointer<curl_sockaddr>?) -> curl_socket_t) throws(CurlError) {
        try check(CCurl_setopt_opensocket(handle, function), CURLOPT_OPENSOCKETFUNCTION)
    }

    /// Runs the transfer (blocking); returns curl's result code and error text.
    public func perform() -> (code: CURLcode, message: String) {
        errorBuffer[0] = 0
        let code = curl_easy_perform(handle)
        var message = String(cString: errorBuffer)
        if message.isEmpty, let text = curl_easy_strerror(code) { message = String(cString: text) }
        return (code, message)
    }

    /// A `long` info value, or nil.
    public func infoInt(_ info: CURLINFO) -> Int? {
        var value = 0
        return CCurl_getinfo_long(handle, info, &value) == CURLE_OK ? value : nil
    }

    /// A string info value, or nil.
    public func infoString(_ info: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard CCurl_getinfo_string(handle, info, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(CurlError) {
        guard code == CURLE_OK else {
            let text = curl_easy_strerror(code).map { String(cString: $0) } ?? "error"
            throw CurlError("curl_easy_setopt(\(option.rawValue)): \(text)", code: code)
        }
    }
}
