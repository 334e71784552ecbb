import CCurl

/// Owns one libcurl easy handle (`CURL *`); freed with `curl_easy_cleanup` in deinit.
///
/// Not thread-safe: one handle belongs to one transfer on one thread.
final class CurlEasy {
    /// `curl_global_init` runs once per process, before the first handle.
    private static let globalInit: CURLcode = CCurl_global_init_default()

    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// Creates a handle.
    /// - Throws: `DownloadError(.localFault)` when libcurl cannot initialise.
    init() throws(DownloadError) {
        guard CurlEasy.globalInit == CURLE_OK else {
            throw DownloadError(.localFault, "curl_global_init failed", curlCode: Int(CurlEasy.globalInit.rawValue))
        }
        guard let handle = curl_easy_init() else {
            throw DownloadError(.localFault, "curl_easy_init failed")
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
    func set(_ option: CURLoption, _ value: Int) throws(DownloadError) {
        try check(CCurl_setopt_long(handle, option, value), option)
    }

    /// Sets a string option (libcurl copies the string).
    func set(_ option: CURLoption, _ value: String) throws(DownloadError) {
        try check(CCurl_setopt_string(handle, option, value), option)
    }

    /// Sets a `curl_off_t` option.
    func set(_ option: CURLoption, offT value: Int64) throws(DownloadError) {
        try check(CCurl_setopt_offt(handle, option, curl_off_t(value)), option)
    }

    /// Sets a pointer option (callback user data); the pointee must outlive `perform`.
    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(DownloadError) {
        try check(CCurl_setopt_pointer(handle, option, pointer), option)
    }

    /// Installs the body callback.
    func setWriteFunction(_ function: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int) throws(DownloadError) {
        try check(CCurl_setopt_write(handle, function), CURLOPT_WRITEFUNCTION)
    }

    /// Installs the header-line callback.
    func setHeaderFunction(_ function: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int) throws(DownloadError) {
        try check(CCurl_setopt_header(handle, function), CURLOPT_HEADERFUNCTION)
    }

    /// Installs the progress callback (also needs `CURLOPT_NOPROGRESS 0`).
    func setXferInfoFunction(_ function: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32) throws(DownloadError) {
        try check(CCurl_setopt_xferinfo(handle, function), CURLOPT_XFERINFOFUNCTION)
    }

    /// Installs the socket-opening callback, which sees every address connected to.
    func setOpenSocketFunction(_ function: @convention(c) (UnsafeMutableRawPointer?, curlsocktype, UnsafeMutablePointer<curl_sockaddr>?) -> curl_socket_t) throws(DownloadError) {
        try check(CCurl_setopt_opensocket(handle, function), CURLOPT_OPENSOCKETFUNCTION)
    }

    /// Runs the transfer (blocking); returns curl's result code and error text.
    func perform() -> (code: CURLcode, message: String) {
        errorBuffer[0] = 0
        let code = curl_easy_perform(handle)
        var message = String(cString: errorBuffer)
        if message.isEmpty, let text = curl_easy_strerror(code) { message = String(cString: text) }
        return (code, message)
    }

    /// A `long` info value, or nil.
    func infoInt(_ info: CURLINFO) -> Int? {
        var value = 0
        return CCurl_getinfo_long(handle, info, &value) == CURLE_OK ? value : nil
    }

    /// A string info value, or nil.
    func infoString(_ info: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard CCurl_getinfo_string(handle, info, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(DownloadError) {
        guard code == CURLE_OK else {
            let text = curl_easy_strerror(code).map { String(cString: $0) } ?? "error"
            throw DownloadError(.localFault, "curl_easy_setopt(\(option.rawValue)): \(text)", curlCode: Int(code.rawValue))
        }
    }
}
