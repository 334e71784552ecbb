import Foundation
import IngestCore
import TestHTTPServer
import XCTest

/// `publish.mediaDirectory` (CONTRACT section 10): renditions are written to and served from a
/// folder outside the spool, `optimizedVideoUrl` names it, and `config check` validates it.
final class MediaDirectoryTests: XCTestCase {
    /// A folder outside the harness's spool; on /dev/shm when there is one, so that publish
    /// moves the rendition across file systems (EXDEV) as it does onto a shared mount.
    private func outsideFolder(_ harness: DaemonHarness) -> String {
        let shm = "/dev/shm"
        let base = FileManager.default.isWritableFile(atPath: shm) ? shm : harness.root
        return base + "/video-ingest-media-" + UUID().uuidString.prefix(8)
    }

    func testDaemon_withMediaDirectoryOutsideItsSpool_publishesThere_andTheHTTPRouteServesIt() throws {
        let server = try TestHTTPServer()
        server.fileRoot = DaemonHarness.samples
        defer { server.stop() }
        let probe = try DaemonHarness()
        let media = outsideFolder(probe)
        defer { try? FileManager.default.removeItem(atPath: media) }
        let harness = try DaemonHarness(DaemonHarness.apiConfig(["publish.mediaDirectory": .string(media)]))
        XCTAssertEqual(try harness.run(["config", "check", harness.configPath]).status, 0)
        try harness.startDaemon()
        defer { XCTAssertEqual(try? harness.stopDaemon(), 0) }
        let port = try harness.httpPort()
        let auth = ("Authorization", "Bearer " + DaemonHarness.sellerKeys["s1"]!)
        try harness.drop(seller: "s1", key: "k1", body: DaemonHarness.body(url: server.url("/files/h264_aac_10s.mp4")))
        let id = try harness.videoId(try harness.waitForReceipt(seller: "s1", key: "k1"))
        let doc = try harness.waitForFinalStatus(id)
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.pretty)
        XCTAssertEqual(doc["optimizedVideoUrl"], .string(URL(fileURLWithPath: media + "/\(id)/video_hd.mp4").absoluteString))
        XCTAssertEqual(doc["posterUrl"], .string(URL(fileURLWithPath: media + "/\(id)/poster.jpg").absoluteString))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: media + "/\(id)").sorted(), ["poster.jpg", "video_hd.mp4"])
        XCTAssertEqual(harness.files(under: "media"), [], "nothing is written into the spool's own media/")
        for name in ["video_hd.mp4", "poster.jpg"] {
            let file = try Data(contentsOf: URL(fileURLWithPath: media + "/\(id)/" + name))
            let answer = try HTTPClient.request(port: port, "GET", "/v1/videos/\(id)/\(name)", headers: [auth])
            XCTAssertEqual(answer.status, 200, answer.text)
            XCTAssertEqual(answer.body, file, "\(name) is served from the media directory")
        }
        XCTAssertEqual(try harness.cli(["delete", id]).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: media + "/\(id)"), "delete removes the video's media there")
    }

    func testConfigCheck_acceptsACreatableFolder_relativeToTheSpool_andRefusesAFile() throws {
        let harness = try DaemonHarness(["publish.mediaDirectory": .string("../shared-media/renditions")])
        let ok = try harness.run(["config", "check", harness.configPath])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(try JSONParser.parse(Data(ok.stdout.utf8))["mediaDirectory"], .string(harness.root + "/shared-media/renditions"),
                       "relative to the spool (var/), not to the config file")
        XCTAssertFalse(FileManager.default.fileExists(atPath: harness.root + "/shared-media"), "the check creates nothing")

        try Data("x".utf8).write(to: URL(fileURLWithPath: harness.root + "/a-file"))
        for path in [harness.root + "/a-file", harness.root + "/a-file/below"] {
            try harness.writeConfig(["publish.mediaDirectory": .string(path)])
            let refused = try harness.run(["config", "check", harness.configPath])
            XCTAssertEqual(refused.status, 2, refused.stdout)
            XCTAssertTrue(refused.stderr.contains("publish.mediaDirectory") && refused.stderr.contains("not a folder"), refused.stderr)
        }
        for bad: JSONValue in [.string(""), .integer(3), .bool(true)] {
            try harness.writeConfig(["publish.mediaDirectory": bad])
            let refused = try harness.run(["config", "check", harness.configPath])
            XCTAssertEqual(refused.status, 2, "\(bad)")
            XCTAssertTrue(refused.stderr.contains("publish.mediaDirectory"), refused.stderr)
        }
    }
}
