import Foundation
import IngestMediaChild
import MediaKit
import XCTest
@testable import IngestCore

/// Probe once (issue 15 item 2): the check's probe is kept in its stage result and handed to the
/// optimizer, which then does not probe the source again; a resumed job reads it back from the store.
final class ProbeOnceTests: XCTestCase {
    private let samples = ["h264_aac_10s.mp4", "mpeg4_10s.mov", "portrait_rotated_10s.mp4", "h264_60fps_10s.mp4", "no_audio_10s.mp4"]

    private func path(_ name: String) -> String { DaemonHarness.samples + "/" + name }

    func testTheCheckResult_keepsTheProbe_exactly_throughTheStoredJSON() throws {
        for name in samples {
            let format = try XCTUnwrap(MediaCheck.check(path: path(name), name: name, config: IngestConfig()).format, name)
            let probe = try MediaProbe.probe(path: path(name), format: format)
            let checked = CheckedSource(format: format, durationSeconds: probe.durationSeconds ?? 0, probe: probe)
            let stored = try StageResult.checked(checked).encoded()
            let resumed = StageResults(stored: [JobStage.check.rawValue: stored])
            XCTAssertEqual(resumed.check?.probe, probe, "\(name): the probe a resumed job reads back is the one the check made")
        }
    }

    func testTheOptimizer_usesTheProbeItIsGiven_insteadOfProbingAgain() throws {
        let input = path("h264_60fps_10s.mp4")  // over the frame-rate cap: transcoded
        let scratch = NSTemporaryDirectory() + "probe-once-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var settings = IngestConfig().optimizeSettings
        settings.preset = "ultrafast"
        var probe = try MediaProbe.probe(path: input, format: .mp4)
        let measured = try XCTUnwrap(probe.durationSeconds)
        XCTAssertGreaterThan(measured, 9)
        // Same probe as the optimizer would make: same result as without one.
        let plain = try Optimizer.optimize(input: input, format: .mp4, outputDirectory: scratch + "/a", settings: settings)
        let given = try Optimizer.optimize(input: input, format: .mp4, outputDirectory: scratch + "/b", settings: settings, source: probe)
        XCTAssertEqual(given.usedFastPath, plain.usedFastPath)
        XCTAssertEqual(try XCTUnwrap(given.output.durationSeconds), try XCTUnwrap(plain.output.durationSeconds), accuracy: 0.05)
        // A probe that says 4 s: the optimizer reads to that duration (+0.25 s), so it did not probe the file itself.
        probe.durationSeconds = 4
        let short = try Optimizer.optimize(input: input, format: .mp4, outputDirectory: scratch + "/c", settings: settings, source: probe)
        XCTAssertLessThan(try XCTUnwrap(short.output.durationSeconds), 5, "the optimizer used the probe it was given")
    }
}
