import Foundation

/// The commands that work on local files: `config check` here; `probe` and `optimize` (a debug aid)
/// touch media, so they run in the media executable (`MediaExecutable.exec`, then `MediaFileCommands`
/// in IngestMediaChild).
public enum MediaCommands {
    /// `config check FILE [--connect]`: exit 0 for a valid file; exit 2 with every problem (on
    /// stdout as JSON, on stderr as one line) for a file that is read but invalid, an unknown key
    /// among them (CONTRACT section 7); exit 1 for a file that does not exist or cannot be read.
    /// With `connect`, one HEAD on the `publish.s3` bucket says whether the credentials and the
    /// bucket work.
    public static func checkConfig(file: String, connect: Bool = false) -> CommandResult {
        guard FileManager.default.isReadableFile(atPath: file) else {
            return .failure("invalid config \(file): the file does not exist or cannot be read")
        }
        let config: IngestConfig
        do { config = try ConfigLoader.load(path: file, mustExist: true) } catch {
            let document = JSONValue.object([("valid", .bool(false)), ("problems", .array(error.problems.map { .string($0) }))])
            return CommandResult(exitCode: 2, stdout: document.pretty + "\n", stderr: "video-ingest: \(error)\n")
        }
        var members: [(String, JSONValue)] = [("valid", .bool(true)), ("spoolDirectory", .string(config.spoolDirectory)),
                                              ("workers", .integer(Int64(config.workers)))]
        if config.publish.mediaDirectory != nil {
            let media = SpoolLayout(root: config.spoolDirectory, mediaDirectory: config.publish.mediaDirectory).media
            if let problem = MediaDirectoryCheck.problem(media) {
                let document = JSONValue.object([("valid", .bool(false)), ("problems", .array([.string(problem)]))])
                return CommandResult(exitCode: 2, stdout: document.pretty + "\n", stderr: "video-ingest: invalid config \(file): \(problem)\n")
            }
            members.append(("mediaDirectory", .string(media)))
        }
        if let s3 = config.publish.s3 { members.append(("s3", ObjectStoreCheck.describe(s3))) }
        guard connect else { return .ok(.object(members)) }
        guard let s3 = config.publish.s3 else { return .failure("--connect needs publish.s3 in \(file)") }
        if let problem = ObjectStoreCheck.connect(s3) { return .failure(problem) }
        members.append(("connect", .object([("bucket", .string(s3.bucket)), ("ok", .bool(true))])))
        return .ok(.object(members))
    }
}
