import Foundation

/// Videos uploaded over HTTP (CONTRACT section 8) wait in `uploads/<token>` until their job's
/// download stage moves them into the scratch folder, so they skip the download. Their
/// `videoUrl` is `upload://<token>/<file name>` (the file name keeps the extension the format
/// check compares with the content). Drops cannot name such a URL: validation accepts only
/// `http://` and `https://`.
public enum Uploads {
    public static let scheme = "upload://"

    /// The `videoUrl` of an upload.
    public static func videoUrl(token: String, fileName: String?) -> String {
        let cleaned = String((fileName ?? "").unicodeScalars.filter { c in
            c.isASCII && (CharacterSet.alphanumerics.contains(c) || c == "." || c == "_" || c == "-")
        }.map(Character.init).prefix(100))
        return scheme + token + "/" + (cleaned.isEmpty || cleaned.hasPrefix(".") ? "video" : cleaned)
    }

    /// The token of an upload URL, or nil for any other URL.
    public static func token(ofVideoUrl url: String) -> String? {
        guard url.hasPrefix(scheme) else { return nil }
        let token = url.dropFirst(scheme.count).prefix { $0 != "/" }
        return IntakeService.isValidName(String(token)) ? String(token) : nil
    }

    /// Where an upload waits for its job.
    public static func path(_ layout: SpoolLayout, token: String) -> String { layout.uploads + "/" + token }

    /// Removes uploads that were being received when an earlier daemon stopped (dot-names).
    static func sweepPartial(_ layout: SpoolLayout) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: layout.uploads)) ?? [] where name.hasPrefix(".") {
            try? FileManager.default.removeItem(atPath: layout.uploads + "/" + name)
        }
    }
}
