/// Checks a URL before libcurl sees it.
enum URLPreflight {
    /// Nil when the URL may be handed to libcurl, otherwise why not:
    /// control characters, whitespace, a scheme other than http/https,
    /// no host, or userinfo (`user@host`).
    static func refusal(_ url: String) -> String? {
        guard !url.isEmpty else { return "the URL is empty" }
        for scalar in url.unicodeScalars {
            let value = scalar.value
            if value < 0x21 || value == 0x7f || (0x80...0x9f).contains(value) || scalar.properties.isWhitespace {
                return "the URL contains a control character or whitespace (U+\(String(value, radix: 16, uppercase: true)))"
            }
        }
        guard let separator = url.firstRange(of: "://") else { return "the URL has no scheme" }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return "the scheme \"\(scheme)\" is not http or https" }
        let rest = url[separator.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty else { return "the URL has no host" }
        if authority.contains("@") { return "the URL contains userinfo (user@host)" }
        if authority.contains("\\") { return "the URL's host contains a backslash" }
        return nil
    }
}
