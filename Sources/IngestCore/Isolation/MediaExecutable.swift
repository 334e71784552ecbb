import Foundation

/// The media executable, `video-ingest-media`: the only program of the service that links FFmpeg
/// (docs/ARCHITECTURE.md, "Two executables"). `video-ingest` links none of it, so its start-up is
/// that of a small program (~10 ms, not the ~70 ms that FFmpeg's libraries' constructors cost), and
/// every sniff, probe and optimization runs in a `video-ingest-media` process: the daemon's media
/// children, and the `probe`, `optimize` and `bench probe` commands, which `exec` it.
///
/// It is found next to the running executable (`readlink /proc/self/exe`, the same folder), so the
/// two binaries are deployed together (docs/OPERATIONS.md).
public enum MediaExecutable {
    /// The media executable's file name.
    public static let name = "video-ingest-media"

    /// `video-ingest-media` in the folder of the running executable.
    public static var path: String {
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: running).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Why the media executable at `path` cannot be run, or nil when it can.
    public static func problem(at path: String = path) -> String? {
        guard access(path, X_OK) == 0 else {
            return "the media executable \(path) is missing or not executable (\(String(cString: strerror(errno)))); "
                + "\(name) must be installed in the same folder as video-ingest"
        }
        return nil
    }

    /// Replaces this process with `video-ingest-media ARGUMENTS…` (its output and exit status are the
    /// command's). Returns only when that is impossible: the failure to report (exit 1).
    public static func exec(_ arguments: [String]) -> CommandResult {
        let executable = path
        if let problem = problem(at: executable) { return .failure(problem) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        execv(executable, argv)
        return .failure("cannot run the media executable \(executable): \(String(cString: strerror(errno)))")
    }
}
