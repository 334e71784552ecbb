import IngestDownload

/// Bridges config text to the downloader's CIDR type.
enum NetworkRange {
    /// Whether `text` is a CIDR range the downloader accepts.
    static func isValid(_ text: String) -> Bool { CIDR.parse(text) != nil }
}
