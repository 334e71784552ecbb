import CCurl

/// Owns one `curl_slist` of request header lines; freed with `curl_slist_free_all` in deinit.
/// It must outlive every `perform` of a handle it is set on.
final class CurlHeaderList {
    private(set) var list: UnsafeMutablePointer<curl_slist>?

    /// A list of `lines` ("Name: value"), in order.
    /// - Throws: `DownloadError(.localFault)` when libcurl cannot allocate a line.
    init(_ lines: [String]) throws(DownloadError) {
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                throw DownloadError(.localFault, "curl_slist_append failed")
            }
            list = appended
        }
    }

    deinit {
        curl_slist_free_all(list)
    }
}
