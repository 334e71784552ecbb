import Foundation
import IngestCore
import XCTest

/// The two executables (docs/ARCHITECTURE.md, "Two executables"): `video-ingest` links no FFmpeg,
/// `video-ingest-media` (found beside it, symlinks resolved) does every media call, and without it
/// the media commands and the daemon fail with a message that names the path.
final class TwoExecutablesTests: XCTestCase {
    private var harness: DaemonHarness!

    override func setUpWithError() throws { harness = try DaemonHarness() }
    override func tearDown() { harness = nil }

    private func libraries(_ executable: String) throws -> String {
        let result = try DaemonHarness.runProcess("/usr/bin/ldd", [executable])
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout
    }

    func testTheMainExecutable_linksNoFFmpeg_andTheMediaExecutableDoes() throws {
        let main = try libraries(DaemonHarness.binary)
        for library in ["libavcodec", "libavformat", "libavfilter", "libavutil", "libswscale", "libswresample"] {
            XCTAssertFalse(main.contains(library), "video-ingest links \(library):\n\(main)")
        }
        XCTAssertTrue(try libraries(DaemonHarness.mediaBinary).contains("libavformat"), "video-ingest-media links no libavformat")
    }

    func testWithoutTheMediaExecutable_theMediaCommandsExit1_andTheDaemonRefusesToStart_namingThePath() throws {
        let folder = harness.root + "/alone"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let lonely = folder + "/video-ingest"
        try FileManager.default.copyItem(atPath: DaemonHarness.binary, toPath: lonely)
        let sample = DaemonHarness.samples + "/h264_aac_10s.mp4"
        let commands: [[String]] = [
            ["probe", sample], ["optimize", sample, harness.root + "/out"], ["bench", "probe", sample, "--iterations", "1"],
            ["daemon", "--config", harness.configPath, "--spool", harness.spool],
        ]
        for arguments in commands {
            let result = try harness.run(arguments, executable: lonely, timeout: 30)
            XCTAssertEqual(result.status, 1, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stdout, "", "\(arguments)")
            XCTAssertTrue(result.stderr.contains(folder + "/video-ingest-media"), "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.hasPrefix("video-ingest: "), "\(arguments): \(result.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: harness.spool + "/state"), "the daemon started before it refused")
    }

    func testASymlinkToTheMainExecutable_findsTheMediaExecutableBesideTheRealFile() throws {
        let folder = harness.root + "/bin"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let link = folder + "/video-ingest"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: DaemonHarness.binary)
        let result = try harness.run(["probe", DaemonHarness.samples + "/h264_aac_10s.mp4"], executable: link)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try JSONParser.parse(Data(result.stdout.utf8))["verdict"], .string("ok"))
    }
}
