import Foundation
import XCTest
import MediaKit

/// Wall-time measurement against the ffmpeg command line; runs only when MEDIAKIT_BENCH_INPUT names an input file.
final class OptimizerBenchmarkTests: XCTestCase {
    func testBenchmark_optimizeWallTime() throws {
        guard let input = ProcessInfo.processInfo.environment["MEDIAKIT_BENCH_INPUT"] else {
            throw XCTSkip("set MEDIAKIT_BENCH_INPUT to an mp4 to measure")
        }
        let directory = try Samples.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let start = Date()
        let result = try Optimizer.optimize(input: input, format: .mp4, outputDirectory: directory.path, settings: OptimizeSettings())
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "BENCHMARK optimize %@: %.2f s wall, %dx%d, fast path %@", input, seconds,
                     result.output.displayWidth ?? 0, result.output.displayHeight ?? 0, result.usedFastPath ? "yes" : "no"))
    }
}
