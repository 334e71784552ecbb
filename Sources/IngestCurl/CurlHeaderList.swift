import CCurl

/// Owns one `curl_slist` of request headers; freed with `curl_slist_free_all` in deinit.
public final class CurlHeaderList {
    private(set) var head: UnsafeMutablePointer<curl_slist>?

    /// A list of `Name: value` lines (libcurl copies each string).
    public init(_ lines: [String]) throws(CurlError) {
        for line in lines {
            guard let next = curl_slist_append(head, line) else {
                curl_slist_free_all(head)
                throw CurlError("curl_slist_append failed", code: nil)
            }
            head = next
        }
    }

    deinit { curl_slist_free_all(head) }
}
