import Foundation
import IngestCore
import MediaKit

/// The commands that read or write media files, run by the media executable for `video-ingest probe`
/// and `video-ingest optimize` (a debug aid), which `exec` it with their arguments already parsed.
package enum MediaFileCommands {
    /// `probe FILE`: the pipeline's checks on a local file (CONTRACT section 1); exit 0 whatever
    /// the verdict, 1 when the file cannot be read.
    package static func probe(file: String, configPath: String?) -> CommandResult {
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
    package static func optimize(input: String, outputDirectory: String, configPath: String?) -> CommandResult {
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
}
