import Foundation
import Glibc
import IngestHTTP

/// A published file as an HTTP answer: `ETag` (size and modification time), `Last-Modified`,
/// conditional GETs (304), one `Range` (206, or 416 outside the file; several ranges are
/// answered with the whole file, as RFC 9110 allows), HEAD. The descriptor is opened once
/// (O_NOFOLLOW) and handed to libmicrohttpd, which sends from it and closes it.
enum MediaFileResponse {
    static func serve(path: String, contentType: String, head: RequestHead) -> HTTPResponse {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return APIResponse.error(.notFound) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { close(fd); return APIResponse.error(.notFound) }
        let size = Int64(info.st_size)
        let mtime = info.st_mtim
        let etag = "\"\(String(size, radix: 16))-\(String(mtime.tv_sec, radix: 16))\(String(mtime.tv_nsec, radix: 16))\""
        let lastModified = httpDate(Double(mtime.tv_sec))
        var headers: [(String, String)] = [("Content-Type", contentType), ("ETag", etag), ("Last-Modified", lastModified),
                                           ("Accept-Ranges", "bytes"), ("Cache-Control", "private, max-age=0")]
        if let match = head.header("if-none-match") {
            if match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
                close(fd)
                return HTTPResponse(status: 304, headers: headers.filter { $0.0 != "Content-Type" })
            }
        } else if let since = head.header("if-modified-since").flatMap(parseHTTPDate), Double(mtime.tv_sec) <= since {
            close(fd)
            return HTTPResponse(status: 304, headers: headers.filter { $0.0 != "Content-Type" })
        }
        if let range = head.header("range"), head.header("if-range").map({ $0 == etag || $0 == lastModified }) ?? true {
            switch ByteRange.parse(range, size: size) {
            case .whole: break
            case .unsatisfiable:
                close(fd)
                return APIResponse.error(.rangeNotSatisfiable, headers: [("Content-Range", "bytes */\(size)")])
            case .range(let first, let last):
                headers.append(("Content-Range", "bytes \(first)-\(last)/\(size)"))
                return HTTPResponse(status: 206, headers: headers, body: .file(descriptor: fd, offset: first, length: last - first + 1))
            }
        }
        return HTTPResponse(status: 200, headers: headers, body: .file(descriptor: fd, offset: 0, length: size))
    }

    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
    static func httpDate(_ seconds: Double) -> String { formatter.string(from: Date(timeIntervalSince1970: seconds)) }

    static func parseHTTPDate(_ text: String) -> Double? { formatter.date(from: text)?.timeIntervalSince1970 }

    private static let formatter: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f
    }()
}

/// One `Range: bytes=…` request against a file of `size` bytes.
enum ByteRange: Equatable {
    /// No usable single range (absent, several, not bytes, malformed): send the whole file.
    case whole
    case unsatisfiable
    /// Inclusive offsets.
    case range(Int64, Int64)

    static func parse(_ header: String, size: Int64) -> ByteRange {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = text.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let startText = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let endText = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        func number(_ s: String) -> Int64? { s.isEmpty || s.count > 18 || !s.allSatisfy(\.isASCII) ? nil : Int64(s).flatMap { $0 >= 0 ? $0 : nil } }
        if startText.isEmpty {
            guard let suffix = number(endText) else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .range(max(0, size - suffix), size - 1)
        }
        guard let first = number(startText) else { return .whole }
        let last: Int64
        if endText.isEmpty { last = size - 1 } else {
            guard let end = number(endText), end >= first else { return .whole }
            last = min(end, size - 1)
        }
        guard first < size else { return .unsatisfiable }
        return .range(first, last)
    }
}
