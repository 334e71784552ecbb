import Foundation
import IngestCore
import TestHTTPServer
import TestPostgresServer
import XCTest

/// `video-ingest store migrate --to URL` (CONTRACT section 10) through real processes: a real
/// daemon fills the embedded SQLite store with videos in several states, the CLI copies it into
/// a TestPostgresServer database, and the same commands on that database answer the same.
final class StoreMigrateEndToEndTests: XCTestCase {
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

    private func migrate(_ url: String) throws -> (status: Int32, stdout: String, stderr: String) {
        try harness.cli(["store", "migrate", "--to", url])
    }

    private func totals(_ h: DaemonHarness) throws -> [String: JSONValue?] {
        var result: [String: JSONValue?] = [:]
        for filter in [[], ["--status", "SUCCESS"], ["--status", "FAILED"], ["--status", "IN_PROGRESS"], ["--seller", "seller-2"]] {
            let run = try h.cli(["list"] + filter)
            XCTAssertEqual(run.status, 0, run.stderr)
            result[filter.joined(separator: " ")] = try JSONParser.parse(Data(run.stdout.utf8))["meta"]?["total"]
        }
        return result
    }

    func testMigrate_copiesEveryVideoKeyAndCount_leavesTheSQLiteFileAsItWas_andRefusesWhatItMust() throws {
        harness = try DaemonHarness()
        try harness.startDaemon()
        let successBody = DaemonHarness.body(url: server.url("/files/h264_aac_10s.mp4"), ids: ["p1", "p2"])
        let drops: [(seller: String, key: String, body: String)] = [
            ("seller-1", "ok-1", successBody),
            ("seller-1", "ok-2", DaemonHarness.body(url: server.url("/files/no_audio_10s.mp4"), ids: ["p2"])),
            ("seller-2", "bad-1", DaemonHarness.body(url: server.url("/files/text.mp4"))),
            ("seller-2", "short-1", DaemonHarness.body(url: server.url("/files/too_short_3s.mp4"))),
        ]
        var ids: [String: String] = [:]
        for drop in drops {
            try harness.drop(seller: drop.seller, key: drop.key, body: drop.body)
            ids[drop.key] = try harness.videoId(try harness.waitForReceipt(seller: drop.seller, key: drop.key))
        }
        for id in ids.values { _ = try harness.waitForFinalStatus(id) }
        XCTAssertEqual(try harness.cli(["approve", ids["ok-2"]!]).status, 0)
        XCTAssertEqual(try harness.cli(["delete", ids["short-1"]!]).status, 0)

        // Refused while the daemon runs: its spool lock is held.
        let whileRunning = try migrate(try SharedPostgres.server().createDatabase())
        XCTAssertEqual(whileRunning.status, 1, whileRunning.stdout)
        XCTAssertTrue(whileRunning.stderr.contains("stop the daemon"), whileRunning.stderr)
        XCTAssertEqual(try harness.stopDaemon(), 0)

        // One video still IN_PROGRESS (enqueued with the daemon stopped), with a key to retry later.
        let pendingFile = harness.root + "/pending.json"
        try Data(DaemonHarness.body(url: server.url("/files/h264_aac_10s.mp4"), ids: ["p3"]).utf8).write(to: URL(fileURLWithPath: pendingFile))
        let enqueued = try harness.cli(["enqueue", "--seller", "seller-2", "--key", "pending-1", pendingFile])
        XCTAssertEqual(enqueued.status, 0, enqueued.stderr)
        ids["pending-1"] = try harness.videoId(try JSONParser.parse(Data(enqueued.stdout.utf8)))

        var documents: [String: JSONValue] = [:]
        for id in ids.values { documents[id] = try harness.statusCommand(id) }
        let sqliteTotals = try totals(harness)
        let sqlitePath = harness.spool + "/state/ingest.sqlite"
        let before = try Data(contentsOf: URL(fileURLWithPath: sqlitePath))

        XCTAssertEqual(try migrate("mysql://localhost/db").status, 2, "not a PostgreSQL URL: invalid arguments")
        let url = try SharedPostgres.server().createDatabase()
        let copied = try migrate(url)
        XCTAssertEqual(copied.status, 0, copied.stderr)
        let report = try JSONParser.parse(Data(copied.stdout.utf8))
        XCTAssertEqual(report["rows"]?["videos"], .integer(5), copied.stdout)
        XCTAssertEqual(report["rows"]?["jobs"], .integer(5), copied.stdout)
        XCTAssertEqual(report["rows"]?["idempotency_keys"], .integer(5), copied.stdout)
        XCTAssertEqual(report["rows"]?["video_products"], .integer(6), copied.stdout)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: sqlitePath)), before, "the SQLite file is left as it was")

        let again = try migrate(url)
        XCTAssertEqual(again.status, 1, again.stdout)
        XCTAssertTrue(again.stderr.contains("not empty"), again.stderr)

        // The same commands on PostgreSQL (another spool, the same store.url) answer the same.
        let fleet = try DaemonHarness(["store.url": .string(url)])
        for (id, document) in documents { XCTAssertEqual(try fleet.statusCommand(id), document, "video \(id)") }
        XCTAssertEqual(try totals(fleet), sqliteTotals)
        let retry = try fleet.run(["enqueue", "--seller", "seller-2", "--key", "pending-1", pendingFile, "--config", fleet.configPath, "--spool", fleet.spool])
        XCTAssertEqual(retry.status, 0, retry.stderr)
        XCTAssertEqual(try fleet.videoId(try JSONParser.parse(Data(retry.stdout.utf8))), ids["pending-1"], "the same key answers the same videoId")

        // The copied queue goes on: a daemon on PostgreSQL finishes the pending video, and a new one lists first.
        try fleet.startDaemon()
        XCTAssertEqual(try fleet.waitForStatusCommand(ids["pending-1"]!)["status"], .string("SUCCESS"))
        try fleet.drop(seller: "seller-1", key: "after", body: DaemonHarness.body(url: server.url("/files/h264_aac_10s.mp4"), ids: ["p9"]))
        let after = try fleet.videoId(try fleet.waitForReceipt(seller: "seller-1", key: "after"))
        let first = try JSONParser.parse(Data(try fleet.cli(["list", "--size", "1"]).stdout.utf8))
        guard case .array(let data)? = first["data"] else { return XCTFail(first.pretty) }
        XCTAssertEqual(data.first?["id"]?.stringValue, after, "a new video gets a seq after the copied ones")
        XCTAssertEqual(try fleet.stopDaemon(), 0)
    }
}
