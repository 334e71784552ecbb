import Foundation
import XCTest

/// The ffmpeg command-line tools as an independent judge of the renditions (nothing of MediaKit is used here).
/// A missing tool fails the test; it never skips it.
enum FFprobeTool {
    /// `ffprobe -show_streams -show_format` of `path`, parsed.
    static func streams(of path: String) throws -> (streams: [[String: Any]], format: [String: Any]) {
        let output = try run("ffprobe", ["-v", "error", "-show_streams", "-show_format", "-of", "json", path])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], output.stderr)
        return ((json["streams"] as? [[String: Any]]) ?? [], (json["format"] as? [String: Any]) ?? [:])
    }

    /// Seconds from the first shown instant to the end of the last packet of the first stream of `type` ("v" or "a"),
    /// from ffprobe's packet list (packets flagged discard, such as AAC priming, excluded); nil without packets.
    static func span(of path: String, stream type: String) throws -> Double? {
        let output = try run("ffprobe", ["-v", "error", "-select_streams", "\(type):0", "-show_entries", "packet=pts_time,duration_time,flags",
                                         "-of", "csv=p=0", path])
        var first = Double.infinity, last = -Double.infinity
        for line in output.stdout.split(separator: "\n") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 3, let pts = Double(fields[0]), !fields[2].contains("D") else { continue }
            first = min(first, pts)
            last = max(last, pts + (Double(fields[1]) ?? 0))
        }
        return last > first ? last - first : nil
    }

    /// What `ffmpeg -v error -i path -f null -` prints (nothing for a clean decode from the first frame to the last).
    static func decodeErrors(of path: String) throws -> String {
        let output = try run("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-f", "null", "-"])
        return (output.stdout + output.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The mean saturation (`signalstats` SATAVG) of the first frames of `path` (the first `-vf` step is `filter`, if any).
    static func saturation(of path: String, filter: String? = nil) throws -> Double {
        let chain = (filter.map { $0 + "," } ?? "") + "signalstats,metadata=print:key=lavfi.signalstats.SATAVG:file=-"
        let output = try run("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-vf", chain, "-frames:v", "3", "-f", "null", "-"])
        let values = output.stdout.split(separator: "\n").compactMap { line -> Double? in
            guard let range = line.range(of: "SATAVG=") else { return nil }
            return Double(line[range.upperBound...])
        }
        return try XCTUnwrap(values.last, "no signalstats output for \(path): \(output.stderr)")
    }

    /// Runs `tool` from PATH to completion (fails when it is not installed).
    static func run(_ tool: String, _ arguments: [String]) throws -> (stdout: String, stderr: String, status: Int32) {
        let candidates = ["/usr/bin/\(tool)", "/usr/local/bin/\(tool)", "/bin/\(tool)"]
        let executable = try XCTUnwrap(candidates.first { FileManager.default.isExecutableFile(atPath: $0) },
                                       "\(tool) is not installed (make deps installs ffmpeg); the rendition cannot be judged")
        let result = try DaemonHarness.runProcess(executable, arguments, timeout: 120)
        return (result.stdout, result.stderr, result.status)
    }

    /// True when the top-level `moov` box comes before the first `mdat` (read here, byte by byte).
    static func moovBeforeMdat(_ path: String) throws -> Bool {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var offset = 0
        while offset + 8 <= data.count {
            let size = data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: data[offset + 4..<offset + 8], as: UTF8.self)
            if type == "moov" { return true }
            if type == "mdat" { return false }
            guard size >= 8 else { return false }
            offset += size
        }
        return false
    }
}
