import Foundation
import IngestCore
import TestHTTPServer
import TestPostgresServer
import XCTest

/// `store.url` naming a PostgreSQL database (CONTRACT section 10), through real processes: a
/// daemon takes a drop to SUCCESS with its store in a TestPostgresServer database, and the CLI of
/// another spool with the same `store.url` answers `status` and `list` for it from PostgreSQL.
final class PostgresStoreEndToEndTests: XCTestCase {
    private var server: TestHTTPServer!
    private var harness: DaemonHarness!

    override func setUpWithError() throws {
        server = try TestHTTPServer()
        server.fileRoot = DaemonHarness.samples
    }

    override func tearDownWithError() throws {
        if let harness, harness.daemon != nil { XCTAssertEqual(try harness.stopDaemon(), 0) }
        harness = nil
        server.stop()
    }

    func testDaemonWithAPostgresStoreURL_takesADropToSuccess_andTheCLIAnswersFromPostgres() throws {
        let url = try SharedPostgres.server().createDatabase()
        harness = try DaemonHarness(["store.url": .string(url)])
        try harness.startDaemon()
        try harness.drop(seller: "seller-1", key: "k1", body: DaemonHarness.body(url: server.url("/files/h264_aac_10s.mp4")))
        let id = try harness.videoId(try harness.waitForReceipt(seller: "seller-1", key: "k1"))
        let doc = try harness.waitForFinalStatus(id)
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.pretty)
        XCTAssertEqual(try harness.statusCommand(id), doc, "the status file equals `video-ingest status`")
        XCTAssertEqual(try harness.stopDaemon(), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: harness.spool + "/state/ingest.sqlite"),
                       "a store.url keeps no SQLite store in the spool")

        // Another spool, the same store.url: its CLI knows the video only through PostgreSQL.
        let other = try DaemonHarness(["store.url": .string(url)])
        XCTAssertEqual(try other.statusCommand(id), doc)
        let list = try other.cli(["list"])
        XCTAssertEqual(list.status, 0, list.stderr)
        let page = try JSONParser.parse(Data(list.stdout.utf8))
        guard case .array(let data)? = page["data"] else { return XCTFail("no data: \(page.pretty)") }
        XCTAssertEqual(data.compactMap { $0["id"]?.stringValue }, [id], page.pretty)
        XCTAssertEqual(page["meta"]?["total"], .integer(1), page.pretty)
    }

    /// The README's fleet example is a valid config: a PostgreSQL store.url and S3 media.
    func testFleetExampleConfig_isAccepted_andNamesAPostgresStoreAndS3Media() throws {
        let path = DaemonHarness.packageRoot.path + "/config/fleet.json"
        let check = try DaemonHarness.runProcess(DaemonHarness.binary, ["config", "check", path])
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        let config = try ConfigLoader.load(path: path, mustExist: true)
        XCTAssertTrue(config.store.url?.hasPrefix("postgresql://") ?? false, "\(String(describing: config.store.url))")
        XCTAssertNotNil(config.publish.s3, "media every daemon reaches")
    }
}
