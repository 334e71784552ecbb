import Foundation
import XCTest

/// Runs `Benchmarks/run --smoke` (every row of `make bench` on tiny inputs, one pair) against the
/// debug binary, so the benchmark harness cannot rot. The real run is `make bench`.
final class BenchmarkSmokeTests: XCTestCase {
    func testBenchmarkHarness_smokeRun_printsEveryRow() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for tool in ["python3", "ffmpeg", "ffprobe", "curl", "wrk"] where Self.which(tool) == nil {
            throw XCTSkip("\(tool) is not installed; the benchmark smoke run needs it (make deps)")
        }
        let binary = DaemonHarness.binary
        let process = Process()
        process.executableURL = root.appendingPathComponent("Benchmarks/run")
        process.arguments = ["--smoke", "--bin", binary]
        process.currentDirectoryURL = root
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both pipes while it runs, so neither fills up.
        nonisolated(unsafe) var stdout = Data(), stderr = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { stdout = output.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { stderr = errors.fileHandleForReading.readDataToEndOfFile() }
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            XCTFail("the smoke run took longer than 90 s")
        }
        process.waitUntilExit()
        group.wait()
        let table = String(decoding: stdout, as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, "Benchmarks/run --smoke failed:\n\(table)\n\(String(decoding: stderr, as: UTF8.self).suffix(3000))")
        for row in ["optimize, ", "remux fast path", "probe, ", "one whole job", "throughput, ", "download ", "s3 upload ", "intake burst",
                    "failing jobs", "memory, peak RSS", "list and status", "webhooks to a local receiver", "HTTP list",
                    "job claims", "list and status on PostgreSQL"] {
            XCTAssertTrue(table.contains("| " + row), "no row \"\(row)\" in:\n\(table)")
        }
        XCTAssertFalse(table.contains("| error |"), table)
    }

    private static func which(_ tool: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
