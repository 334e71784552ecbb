import Foundation

/// Builds hostile media files for tests, in a folder of the caller's: SSRF/file-read playlists, an mp4 whose
/// `dref` points at an absolute path, oversized pictures, thousands of tracks, a far-away `moov`, a lying
/// duration. Real media comes from the ffmpeg command line (lavfi sources); the hostile parts are patched in here.
public enum HostileMedia {
    /// A failure to build a file.
    public struct BuildError: Error, CustomStringConvertible {
        public let description: String
    }

    /// An AVI (RIFF 'AVI ' header) whose payload is an HLS playlist naming `url`: the classic FFmpeg SSRF/file-read file.
    public static func aviWithPlaylist(url: String) -> Data {
        let playlist = Data(playlist(url: url).utf8)
        var list = Data("hdrl".utf8)
        list += chunk("avih", Data(count: 56))
        var body = Data("AVI ".utf8)
        body += chunk("LIST", list)
        body += chunk("GAB2", playlist)
        return Data("RIFF".utf8) + le32(body.count) + body
    }

    /// A bare HLS playlist with one segment at `url`.
    public static func playlist(url: String) -> String {
        "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n\(url)\n#EXT-X-ENDLIST\n"
    }

    /// An ffconcat script naming `path` and `url`.
    public static func ffconcat(path: String, url: String) -> String {
        "ffconcat version 1.0\nfile '\(path)'\nfile '\(url)'\n"
    }

    /// Runs the ffmpeg command line.
    public static func ffmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-hide_banner", "-loglevel", "error", "-y"] + arguments
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BuildError(description: "ffmpeg \(arguments) failed") }
    }

    /// A small H.264 mp4 with its `moov` at the end (no faststart) and no audio.
    public static func plainMp4(at path: String, seconds: Int, rate: Int = 10, size: String = "64x64") throws {
        try ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(rate):duration=\(seconds)", "-c:v", "libx264",
                    "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "mp4", path])
    }

    /// An mp4 whose video track's `dref` is an alias record with the absolute path `target` (not self-contained).
    public static func mp4WithAbsoluteDref(at path: String, target: String) throws {
        try plainMp4(at: path, seconds: 10)
        try rewriteMoov(path) { moov in
            moov.mapFirst(path: ["trak", "mdia", "minf", "dinf", "dref"]) { dref in
                dref.payload = be32(0) + be32(1) + aliasEntry(path: target)
            }
        }
    }

    /// A QuickTime file of Motion JPEG whose frames (JPEG SOF0) declare `width`×`height`; with `header`, the sample
    /// description says so too.
    public static func movWithHugePicture(at path: String, width: Int, height: Int, header: Bool) throws {
        try ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=10:duration=10", "-c:v", "mjpeg", "-f", "mov", path])
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        let sof: [UInt8] = [0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x40, 0x00, 0x40]
        var replaced = 0
        var index = data.startIndex
        while let range = data.range(of: Data(sof), in: index..<data.endIndex) {
            data.replaceSubrange(range, with: Data(sof.prefix(5)) + be16(height) + be16(width))
            index = range.upperBound
            replaced += 1
        }
        guard replaced > 0 else { throw BuildError(description: "no SOF0 marker in \(path)") }
        if header {
            guard let entry = data.range(of: Data("jpeg".utf8)) ?? data.range(of: Data("mjpa".utf8)) else {
                throw BuildError(description: "no MJPEG sample entry in \(path)")
            }
            let start = entry.lowerBound - 4
            data.replaceSubrange((start + 32)..<(start + 36), with: be16(width) + be16(height))
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// An mp4 whose `moov` holds `count` copies of its video track.
    public static func mp4WithManyTracks(at path: String, count: Int) throws {
        try plainMp4(at: path, seconds: 10)
        try rewriteMoov(path) { moov in
            guard let trak = moov.children?.first(where: { $0.type == "trak" }) else { return }
            moov.children! += Array(repeating: trak, count: count - 1)
        }
    }

    /// A 10 s mp4 followed by `paddingBytes` of `free` box before its `moov` (the index far from the start).
    public static func mp4WithMoovFarAtTheEnd(at path: String, paddingBytes: Int) throws {
        try plainMp4(at: path, seconds: 10)
        var boxes = try Box.parse(Data(contentsOf: URL(fileURLWithPath: path)))
        guard let moov = boxes.firstIndex(where: { $0.type == "moov" }) else { throw BuildError(description: "no moov") }
        boxes.insert(Box(type: "free", payload: Data(count: paddingBytes)), at: moov)
        try Box.serialize(boxes).write(to: URL(fileURLWithPath: path))
    }

    /// An mp4 of `actualSeconds` whose movie, track and media headers claim `claimedSeconds` (edit lists removed).
    public static func mp4WithLyingDuration(at path: String, claimedSeconds: Int, actualSeconds: Int) throws {
        try plainMp4(at: path, seconds: actualSeconds, rate: 5)
        try rewriteMoov(path) { moov in
            var movieScale = 1000
            moov.mapFirst(path: ["mvhd"]) { mvhd in
                movieScale = mvhd.setDuration(scaleOffset: 12, durationOffset: 16, seconds: claimedSeconds)
            }
            moov.children = moov.children?.map { child in
                guard child.type == "trak" else { return child }
                var trak = child
                trak.children?.removeAll { $0.type == "edts" }
                trak.mapFirst(path: ["tkhd"]) { tkhd in
                    tkhd.payload.replaceSubrange(20..<24, with: be32(claimedSeconds * movieScale))
                }
                trak.mapFirst(path: ["mdia", "mdhd"]) { mdhd in
                    _ = mdhd.setDuration(scaleOffset: 12, durationOffset: 16, seconds: claimedSeconds)
                }
                return trak
            }
        }
    }

    // MARK: - Boxes

    private static func rewriteMoov(_ path: String, _ body: (inout Box) -> Void) throws {
        var boxes = try Box.parse(Data(contentsOf: URL(fileURLWithPath: path)))
        guard let index = boxes.firstIndex(where: { $0.type == "moov" }), index == boxes.count - 1 else {
            throw BuildError(description: "\(path): moov is not the last box")
        }
        body(&boxes[index])
        try Box.serialize(boxes).write(to: URL(fileURLWithPath: path))
    }

    /// A Macintosh alias record (`alis`) naming the absolute path `path`, as QuickTime writes for external media.
    private static func aliasEntry(path: String) -> Data {
        var pathBytes = Data(path.utf8)
        if pathBytes.count % 2 == 1 { pathBytes.append(0) }
        var e = Data()
        e += Data(count: 10)
        e += Data([3]) + pad(Data("Mac".utf8), 27)
        e += Data(count: 12)
        let name = Data((path as NSString).lastPathComponent.utf8.prefix(63))
        e += Data([UInt8(name.count)]) + pad(name, 63)
        e += Data(count: 16)
        e += be16(1) + be16(1)
        e += Data(count: 16)
        e += be16(2) + be16(pathBytes.count) + pathBytes
        e += be16(0xFFFF) + be16(0)
        return be32(12 + e.count) + Data("alis".utf8) + be32(0) + e
    }

    private static func pad(_ data: Data, _ count: Int) -> Data { data + Data(count: max(0, count - data.count)) }
    private static func chunk(_ id: String, _ body: Data) -> Data {
        Data(id.utf8) + le32(body.count) + body + (body.count % 2 == 1 ? Data([0]) : Data())
    }
    static func be32(_ v: Int) -> Data { Data([UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]) }
    static func be16(_ v: Int) -> Data { Data([UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]) }
    static func le32(_ v: Int) -> Data { Data([UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)]) }
}

/// An ISO BMFF box: containers are parsed into children, every other box is kept as bytes (32-bit sizes only).
struct Box {
    static let containers: Set<String> = ["moov", "trak", "mdia", "minf", "dinf", "stbl", "edts"]
    var type: String
    var payload = Data()
    var children: [Box]? = nil

    init(type: String, payload: Data = Data(), children: [Box]? = nil) {
        self.type = type
        self.payload = payload
        self.children = children
    }

    static func parse(_ data: Data) throws -> [Box] {
        var boxes: [Box] = []
        var offset = data.startIndex
        while offset + 8 <= data.endIndex {
            let size = data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: data[offset + 4..<offset + 8], as: UTF8.self)
            guard size >= 8, offset + size <= data.endIndex else {
                throw HostileMedia.BuildError(description: "unsupported box \(type) of size \(size)")
            }
            let payload = Data(data[offset + 8..<offset + size])
            boxes.append(containers.contains(type) ? Box(type: type, children: try parse(payload)) : Box(type: type, payload: payload))
            offset += size
        }
        return boxes
    }

    static func serialize(_ boxes: [Box]) -> Data {
        boxes.reduce(into: Data()) { out, box in
            let body = box.children.map(serialize) ?? box.payload
            out += HostileMedia.be32(body.count + 8) + Data(box.type.utf8) + body
        }
    }

    /// Applies `body` to the first box down `path` (types, from this box's children).
    mutating func mapFirst(path: [String], _ body: (inout Box) -> Void) {
        guard let first = path.first, let index = children?.firstIndex(where: { $0.type == first }) else { return }
        if path.count == 1 { body(&children![index]) } else { children![index].mapFirst(path: Array(path.dropFirst()), body) }
    }

    /// Sets a version-0 full box's duration field to `seconds` in its own time scale; returns the scale.
    mutating func setDuration(scaleOffset: Int, durationOffset: Int, seconds: Int) -> Int {
        let scale = payload[scaleOffset..<scaleOffset + 4].reduce(0) { $0 << 8 | Int($1) }
        payload.replaceSubrange(durationOffset..<durationOffset + 4, with: HostileMedia.be32(seconds * scale))
        return scale
    }
}
