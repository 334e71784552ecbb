import Foundation
import IngestCore
import XCTest

/// The CLI's own contract: `probe`, `config check`, `--help`, argument errors and exit codes.
final class CommandLineTests: XCTestCase {
    private var harness: DaemonHarness!

    override func setUpWithError() throws { harness = try DaemonHarness() }
    override func tearDown() { harness = nil }

    private func probe(_ name: String, config: String? = nil) throws -> JSONValue {
        let result = try harness.run(["probe", DaemonHarness.samples + "/" + name] + (config.map { ["--config", $0] } ?? []))
        XCTAssertEqual(result.status, 0, result.stderr)
        return try JSONParser.parse(Data(result.stdout.utf8))
    }

    func testProbe_everySample_givesTheContractsVerdict() throws {
        let expected: [(String, String?, Double?, String)] = [
            ("h264_aac_10s.mp4", "mp4", 10, "ok"),
            ("mpeg4_10s.mov", "mov", 10, "ok"),
            ("no_audio_10s.mp4", "mp4", 10, "ok"),
            ("portrait_rotated_10s.mp4", "mp4", 10, "ok"),
            ("too_short_3s.mp4", "mp4", 3, "seller.integration.video.duration.invalid"),
            ("too_long_130s.mp4", "mp4", 130, "seller.integration.video.duration.invalid"),
            ("sample_10s.avi", "avi", nil, "seller.integration.video.format.invalid"),
            ("sample_10s.webm", "webm", nil, "seller.integration.video.format.invalid"),
            ("truncated.mp4", "mp4", nil, "seller.integration.video.format.invalid"),
            ("text.mp4", nil, nil, "seller.integration.video.format.invalid"),
        ]
        for (name, format, duration, verdict) in expected {
            let report = try probe(name)
            XCTAssertEqual(report["verdict"], .string(verdict), name)
            XCTAssertEqual(report["format"], format.map(JSONValue.string) ?? .null, name)
            if let duration {
                guard let d = report["durationSeconds"]?.doubleValue else { XCTFail("\(name): no duration"); continue }
                XCTAssertEqual(d, duration, accuracy: 0.1, name)
            }
            guard case .array? = report["streams"] else { XCTFail("\(name): no streams array"); continue }
        }
        let portrait = try probe("portrait_rotated_10s.mp4")
        guard case .array(let streams)? = portrait["streams"] else { return XCTFail() }
        XCTAssertEqual(streams.first?["rotation"], .integer(90))
    }

    func testProbe_allowedFormatsFromConfig_acceptAviAndWebm() throws {
        try harness.writeConfig(["limits.allowedFormats": .array(["mp4", "mov", "webm", "avi"].map(JSONValue.string))])
        XCTAssertEqual(try probe("sample_10s.avi", config: harness.configPath)["verdict"], .string("ok"))
        XCTAssertEqual(try probe("sample_10s.webm", config: harness.configPath)["verdict"], .string("ok"))
    }

    func testProbe_unreadableFile_exits1() throws {
        let result = try harness.run(["probe", harness.root + "/missing.mp4"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("missing.mp4"))
        XCTAssertEqual(try harness.run(["probe", harness.root + "/missing.mp4", "--config", harness.root + "/nope.json"]).status, 1)
    }

    func testConfigCheck_validAndInvalidFiles() throws {
        XCTAssertEqual(try harness.run(["config", "check", harness.configPath]).status, 0)
        XCTAssertEqual(try harness.run(["config", "check", DaemonHarness.packageRoot.path + "/config/ingest.json"]).status, 0)
        let bad = harness.root + "/bad.json"
        try Data(#"{"workers": "many", "limits": {"minDurationSeconds": -1}}"#.utf8).write(to: URL(fileURLWithPath: bad))
        let result = try harness.run(["config", "check", bad])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("workers"), result.stderr)
        XCTAssertTrue(result.stderr.contains("limits.minDurationSeconds"), result.stderr)
        XCTAssertEqual(try harness.run(["config", "check", harness.root + "/missing.json"]).status, 1)
    }

    /// CONTRACT section 7: a key the daemon does not know is an error naming the key, exit 2.
    func testConfigCheck_unknownKeys_exit2NamingEachKey() throws {
        let typo = harness.root + "/typo.json"
        try Data(#"{"wokers": 2, "limits": {"maxDurationSecond": 60, "minDurationSeconds": 8}, "download": {"allowedNetworks": []}}"#.utf8)
            .write(to: URL(fileURLWithPath: typo))
        let result = try harness.run(["config", "check", typo])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("wokers is not a known key"), result.stderr)
        XCTAssertTrue(result.stderr.contains("limits.maxDurationSecond is not a known key"), result.stderr)
        XCTAssertFalse(result.stderr.contains("minDurationSeconds is not"), result.stderr)
        XCTAssertFalse(result.stderr.contains("allowedNetworks is not"), result.stderr)
        guard case .array(let problems)? = try JSONParser.parse(Data(result.stdout.utf8))["problems"] else {
            return XCTFail("no problems array on stdout: \(result.stdout)")
        }
        XCTAssertEqual(problems.count, 2, result.stdout)
    }

    func testHelpOnEveryCommand_andUnknownFlagsExit2() throws {
        for command in ["daemon", "enqueue", "list", "status", "approve", "reject", "delete", "probe", "config", "optimize"] {
            let result = try harness.run([command, "--help"])
            XCTAssertEqual(result.status, 0, command)
            XCTAssertTrue(result.stdout.contains("Usage: video-ingest \(command)"), command)
        }
        XCTAssertEqual(try harness.run(["--help"]).status, 0)
        let unknown = try harness.run(["list", "--colour", "red"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("unknown option --colour"))
        XCTAssertTrue(unknown.stdout.contains("\"errors\""))
        XCTAssertEqual(try harness.run(["frobnicate"]).status, 2)
        XCTAssertEqual(try harness.run(["status"]).status, 2)
        XCTAssertEqual(try harness.run(["enqueue", "x.json"]).status, 2, "--seller is required")
    }
}
