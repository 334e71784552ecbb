import Foundation
import IngestCore

/// The hidden `video-ingest bench probe` command, run by the media executable: timings of the
/// pipeline's checks without process start-up. Prints one JSON object, as `BenchCommands` do.
package enum MediaBenchCommands {
    /// `bench probe FILE`: the pipeline's checks (`MediaCheck`) on FILE, `iterations` times in one process.
    package static func probe(file: String, iterations: Int) -> CommandResult {
        let config = IngestConfig()
        var times: [Double] = []
        var verdict = ""
        for _ in 0..<iterations {
            let start = BenchCommands.monotonicNow()
            do {
                verdict = try MediaCheck.check(path: file, name: (file as NSString).lastPathComponent, config: config).verdict
            } catch {
                return .failure("cannot read \(file): \(error)")
            }
            times.append(BenchCommands.monotonicNow() - start)
        }
        return .ok(.object([("verdict", .string(verdict)), ("ms", BenchCommands.timings(times))]))
    }
}
