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
            let o = config.optimization
            let start = Date()
            let result = try Optimizer.optimize(
                input: input, format: format, outputDirectory: outputDirectory,
                settings: OptimizeSettings(maxHeight: o.maxHeight, maxFrameRate: o.maxFrameRate, crf: o.crf, preset: o.preset,
                                           x264Threads: o.x264Threads))
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

    /// `config check FILE [--connect]`: validates the file (and `publish.s3` in it); with
    /// `connect`, one HEAD on the bucket says whether the credentials and the bucket work.
    public static func checkConfig(file: String, connect: Bool = false) -> CommandResult {
        let config: IngestConfig
        do { config = try ConfigLoader.load(path: file, mustExist: true) } catch { return .failure("\(error)") }
        var members: [(String, JSONValue)] = [("valid", .bool(true)), ("spoolDirectory", .string(config.spoolDirectory)),
                                              ("workers", .integer(Int64(config.workers)))]
        if let s3 = config.publish.s3 { members.append(("s3", ObjectStoreCheck.describe(s3))) }
        guard connect else { return .ok(.object(members)) }
        guard let s3 = config.publish.s3 else { return .failure("--connect needs publish.s3 in \(file)") }
        if let problem = ObjectStoreCheck.connect(s3) { return .failure(problem) }
        members.append(("connect", .object([("bucket", .string(s3.bucket)), ("ok", .bool(true))])))
        return .ok(.object(members))
    }
}
