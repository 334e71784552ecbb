import Foundation
import MediaKit

/// The commands that work on local files: `probe`, `optimize` (a debug aid) and `config check`.
public enum MediaCommands {
    /// `probe FILE`: the pipeline's checks on a local file (CONTRACT section 1); exit 0 whatever
    /// the verdict, 1 when the file cannot be read.
    public static func probe(file: String, configPath: String?) -> CommandResult {
        let config: IngestConfig
        do { config = try ConfigLoader.load(option: configPath) } catch {
            return .failure("\(error)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue,
              FileManager.default.isReadableFile(atPath: file) else {
            return .failure("cannot read \(file)")
        }
        do {
            return .ok(try MediaCheck.check(path: file, name: (file as NSString).lastPathComponent, config: config).json)
        } catch {
            return .failure("cannot read \(file): \(error)")
        }
    }

    /// `optimize IN OUT_DIR`: runs the optimizer by hand and prints what it made.
    public static func optimize(input: String, outputDirectory: String, configPath: String?) -> CommandResult {
        let config: IngestConfig
        do { config = try ConfigLoader.load(option: configPath) } catch {
            return .failure("\(error)")
        }
        do {
            let check = try MediaCheck.check(path: input, name: (input as NSString).lastPathComponent, config: config)
            guard let format = check.format else { return .failure("\(input): not a known video container") }
            let start = Date()
            let result = try Optimizer.optimize(input: input, format: format, outputDirectory: outputDirectory,
                                                settings: config.optimizeSettings, source: check.probe)
            return .ok(.object([
                ("video", .string(result.videoPath)), ("poster", .string(result.posterPath)),
                ("fastPath", .bool(result.usedFastPath)),
                ("wallSeconds", .number((Date().timeIntervalSince(start) * 1000).rounded() / 1000)),
                ("output", MediaCheck.Report(format: .mp4, durationSeconds: result.output.durationSeconds, sizeBytes: 0,
                                             probe: result.output, failure: nil).json),
            ]))
        } catch {
            return .failure("\(error)")
        }
    }

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
