/// Tells a container format from a file's first bytes and checks it against a file or URL extension.
///
/// Pure Swift, no FFmpeg: this is the cheap gate before libavformat sees a byte (CONTRACT section 4).
/// - `mp4`: an ISO base media `ftyp` box whose major brand is not `qt  `.
/// - `mov`: `ftyp` with major brand `qt  `, or a classic QuickTime file that starts with a
///   `moov`, `mdat`, `wide`, `free`, `skip` or `pnot` atom.
/// - `webm`: EBML whose DocType is `webm`.
/// - `avi`: `RIFF....AVI `.
public enum FormatSniffer {
    /// How many leading bytes `sniff` wants to see (it copes with fewer).
    public static let headerLength = 4096

    /// The format the bytes start with, or nil when they are none of the known formats.
    public static func sniff<Bytes: Collection>(_ bytes: Bytes) -> ContainerFormat? where Bytes.Element == UInt8 {
        let b = Array(bytes.prefix(headerLength))
        if let isoFormat = sniffISOBaseMedia(b) { return isoFormat }
        if isAVI(b) { return .avi }
        if isWebM(b) { return .webm }
        return nil
    }

    /// What a file or URL extension names: `.mp4`/`.m4v` mp4, `.mov`/`.qt` mov, `.webm`, `.avi`;
    /// `.none` for no extension; `.other` for an extension that names no format we know.
    public static func format(forExtension ext: String) -> ExtensionClaim {
        switch ext.lowercased() {
        case "": return .none
        case "mp4", "m4v": return .format(.mp4)
        case "mov", "qt": return .format(.mov)
        case "webm": return .format(.webm)
        case "avi": return .format(.avi)
        default: return .other(ext)
        }
    }

    /// The extension of the last path segment of a URL or file path ("" when it has none).
    /// The query and fragment of a URL are ignored.
    public static func pathExtension(ofURLOrPath text: String) -> String {
        var path = Substring(text)
        if let schemeEnd = path.firstRange(of: "://") {
            path = path[schemeEnd.upperBound...]
            if let slash = path.firstIndex(of: "/") { path = path[slash...] } else { return "" }
        }
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<cut] }
        let lastSegment = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard let dot = lastSegment.lastIndex(of: "."), dot != lastSegment.startIndex else { return "" }
        let ext = lastSegment[lastSegment.index(after: dot)...]
        // Only a short alphanumeric tail is a file extension ("v1.2-final" has none).
        guard (1...5).contains(ext.count), ext.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return "" }
        return String(ext)
    }

    /// The sniffer's verdict on a file's bytes and the name it came under.
    public static func check<Bytes: Collection>(
        header: Bytes, name: String, allowed: Set<ContainerFormat>
    ) -> SniffVerdict where Bytes.Element == UInt8 {
        guard let content = sniff(header) else { return .rejected(.unrecognizedContent) }
        guard allowed.contains(content) else { return .rejected(.formatNotAllowed(content)) }
        switch format(forExtension: pathExtension(ofURLOrPath: name)) {
        case .none:
            return .accepted(content)
        case .format(let claimed):
            return claimed == content ? .accepted(content) : .rejected(.extensionMismatch(claimed: claimed, content: content))
        case .other(let ext):
            return .rejected(.unknownExtension(ext))
        }
    }

    // MARK: - Rules

    private static let classicQuickTimeAtoms: Set<String> = ["moov", "mdat", "wide", "free", "skip", "pnot"]

    private static func sniffISOBaseMedia(_ b: [UInt8]) -> ContainerFormat? {
        guard b.count >= 8 else { return nil }
        let type = fourCC(b, at: 4)
        if type == "ftyp" {
            guard b.count >= 12 else { return nil }
            let size = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
            guard size >= 12 || size == 1 else { return nil }
            return fourCC(b, at: 8) == "qt  " ? .mov : .mp4
        }
        return classicQuickTimeAtoms.contains(type) ? .mov : nil
    }

    private static func isAVI(_ b: [UInt8]) -> Bool {
        b.count >= 12 && fourCC(b, at: 0) == "RIFF" && fourCC(b, at: 8) == "AVI "
    }

    /// EBML magic 1A 45 DF A3, then the DocType element (0x4282) within the EBML header says `webm`.
    private static func isWebM(_ b: [UInt8]) -> Bool {
        guard b.count >= 4, b[0] == 0x1A, b[1] == 0x45, b[2] == 0xDF, b[3] == 0xA3 else { return false }
        let window = b.prefix(64)
        var i = window.startIndex
        while i + 2 < window.endIndex {
            if window[i] == 0x42 && window[i + 1] == 0x82 {
                // DocType: an EBML size byte (1-byte form 0x80|len) then the ASCII text.
                let sizeByte = window[i + 2]
                guard sizeByte & 0x80 != 0 else { return false }
                let length = Int(sizeByte & 0x7F)
                let start = i + 3
                guard start + length <= b.count else { return false }
                return String(decoding: b[start..<(start + length)], as: UTF8.self) == "webm"
            }
            i += 1
        }
        return false
    }

    private static func fourCC(_ b: [UInt8], at offset: Int) -> String {
        guard offset + 4 <= b.count else { return "" }
        return String(decoding: b[offset..<(offset + 4)], as: UTF8.self)
    }

}

/// What a file's or URL's extension says about its format.
public enum ExtensionClaim: Sendable, Equatable {
    /// No extension: the content alone decides.
    case none
    /// An extension naming one of the known formats.
    case format(ContainerFormat)
    /// An extension naming something else (`.m3u8`, `.txt`, …).
    case other(String)
}

/// The outcome of sniffing a header against a name and the allowed formats.
public enum SniffVerdict: Sendable, Equatable {
    case accepted(ContainerFormat)
    case rejected(SniffRejection)
}

/// Why the sniffer refused a file; every case maps to `seller.integration.video.format.invalid`.
public enum SniffRejection: Sendable, Equatable, CustomStringConvertible {
    case unrecognizedContent
    case formatNotAllowed(ContainerFormat)
    case extensionMismatch(claimed: ContainerFormat, content: ContainerFormat)
    case unknownExtension(String)

    public var description: String {
        switch self {
        case .unrecognizedContent: return "the content is not a known video container"
        case .formatNotAllowed(let f): return "\(f.rawValue) is not an allowed format"
        case .extensionMismatch(let claimed, let content): return "the extension names \(claimed.rawValue) but the content is \(content.rawValue)"
        case .unknownExtension(let ext): return "the extension .\(ext) names no supported video format"
        }
    }
}
