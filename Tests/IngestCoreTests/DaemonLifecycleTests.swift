import Foundation
import IngestCore
import IngestStore
import TestHTTPServer
import XCTest

/// The daemon as a process: signals, one daemon per spool, config reloads, and `kill -9` at
/// the worst moments followed by a restart that finishes the job once.
final class DaemonLifecycleTests: XCTestCase {
    private var server: TestHTTPServer!

    override func setUpWithError() throws {
        server = try TestHTTPServer()
        server.fileRoot = DaemonHarness.samples
    }

    override func tearDown() { server.stop() }

    private func errorCodes(_ receipt: JSONValue) -> [String] {
        guard case .array(let errors)? = receipt["errors"] else { return [] }
        return errors.compactMap { $0["code"]?.stringValue }
    }

    func testSigterm_exitsZero_andSigintToo() throws {
        let harness = try DaemonHarness()
        try harness.startDaemon()
        let start = Date()
        XCTAssertEqual(try harness.stopDaemon(signal: SIGTERM), 0)
        XCTAssertLessThan(Date().timeIntervalSince(start), 30)
        try harness.startDaemon()
        XCTAssertEqual(try harness.stopDaemon(signal: SIGINT), 0)
        XCTAssertTrue(harness.logLines().contains { $0.contains("daemon stopped") })
    }

    /// In a fleet, a job running under another daemon's lease may be alive: start-up requeues only
    /// the leases of this spool's earlier daemons, and the rescuer takes the other one over once it
    /// went `store.leaseSeconds` without a renewal.
    func testStartup_leavesAnotherDaemonsLeaseToTheRescuer() throws {
        let harness = try DaemonHarness(["store.leaseSeconds": .integer(2)])
        let layout = SpoolLayout(root: harness.spool)
        try layout.create()
        let store = try IngestConfig().openStore(layout: layout)
        let video = NewVideo(sellerId: "s1", title: "A product video", description: nil, videoUrl: "http://127.0.0.1:9/v.mp4",
                             productContentIds: ["p1"], videoContentType: "PRODUCT_PROMOTION", storeFrontCode: "TR")
        guard case .created(let id) = try store.createVideo(video, idempotencyKey: "k1", bodyDigest: "d") else { return XCTFail("not created") }
        let foreign = try XCTUnwrap(store.claimJob(owner: "other-host:/srv/spool#1-1", leaseSeconds: 2)?.lease)

        try harness.startDaemon()
        try harness.waitUntil("the rescuer took the job over", timeout: 60) { try store.job(videoId: id)?.lease != foreign }
        let lines = harness.logLines()
        XCTAssertTrue(lines.contains { $0.contains("1 jobs run under other daemons' leases") }, lines.joined(separator: "\n"))
        XCTAssertFalse(lines.contains { $0.contains("left running by an earlier daemon") }, "start-up left the foreign lease alone")
        XCTAssertTrue(lines.contains { $0.contains("its lease was not renewed for store.leaseSeconds") }, lines.joined(separator: "\n"))
        XCTAssertEqual(try harness.stopDaemon(), 0)
    }

    func testSecondDaemonOnTheSameSpool_isRefused() throws {
        let harness = try DaemonHarness()
        try harness.startDaemon()
        let second = try harness.run(["daemon", "--config", harness.configPath, "--spool", harness.spool], timeout: 20)
        XCTAssertNotEqual(second.status, 0)
        XCTAssertTrue(second.stderr.contains("already running"), second.stderr)
        XCTAssertEqual(try harness.stopDaemon(), 0)
    }

    func testConfigEdit_appliesToNewDrops_invalidEditKeepsTheOldConfig_andSighupReloads() throws {
        let harness = try DaemonHarness(["download.allowedNetworks": .array([])])
        try harness.startDaemon()
        let url = "http://127.0.0.1:9/v.mp4"
        let deBody = DaemonHarness.body(url: url).replacingOccurrences(of: "\"TR\"", with: "\"DE\"")
        try harness.drop(seller: "s", key: "de-1", body: deBody)
        XCTAssertEqual(errorCodes(try harness.waitForReceipt(seller: "s", key: "de-1")), ["seller.integration.invalid.store.front.code"])

        try harness.writeConfig(["download.allowedNetworks": .array([]), "intake.storeFrontCodes": .array([.string("TR"), .string("DE")])])
        try harness.waitUntil("the edit is reloaded", timeout: 10) { harness.logLines().contains { $0.contains("config reloaded") } }
        try harness.drop(seller: "s", key: "de-2", body: deBody)
        XCTAssertNotNil(try harness.waitForReceipt(seller: "s", key: "de-2")["videoId"])

        try Data(#"{"workers": "lots"}"#.utf8).write(to: URL(fileURLWithPath: harness.configPath))
        try harness.waitUntil("the invalid edit is reported", timeout: 10) {
            harness.logLines().contains { $0.contains("config not reloaded") && $0.contains("workers") }
        }
        try harness.drop(seller: "s", key: "de-3", body: deBody)
        XCTAssertNotNil(try harness.waitForReceipt(seller: "s", key: "de-3")["videoId"], "the previous config stays in force")

        // A typo is an unknown key: reported by name, and the previous config stays in force.
        try harness.writeConfig(["download.allowedNetworks": .array([]), "intake.storeFrontCode": .array([.string("TR")])])
        try harness.waitUntil("the unknown key is reported", timeout: 10) {
            harness.logLines().contains { $0.contains("config not reloaded") && $0.contains("intake.storeFrontCode is not a known key") }
        }
        try harness.drop(seller: "s", key: "de-3b", body: deBody)
        XCTAssertNotNil(try harness.waitForReceipt(seller: "s", key: "de-3b")["videoId"], "the previous config stays in force")

        try harness.writeConfig(["download.allowedNetworks": .array([])])
        kill(harness.daemon!.processIdentifier, SIGHUP)
        try harness.waitUntil("SIGHUP reload", timeout: 10) { harness.logLines().contains { $0.contains("SIGHUP") } }
        try harness.drop(seller: "s", key: "de-4", body: deBody)
        XCTAssertEqual(errorCodes(try harness.waitForReceipt(seller: "s", key: "de-4")), ["seller.integration.invalid.store.front.code"])
        XCTAssertEqual(try harness.stopDaemon(), 0)
    }

    /// Kills the daemon with SIGKILL once `stage` shows in the status file, restarts it, and checks
    /// that the job finishes exactly once.
    private func killDuring(stage: String, path: String, overrides: [String: JSONValue]) throws -> DaemonHarness {
        let harness = try DaemonHarness(overrides)
        try harness.startDaemon()
        try harness.drop(seller: "s", key: "k", body: DaemonHarness.body(url: server.url(path)))
        let id = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "k"))
        try harness.waitUntil("stage \(stage)", timeout: 30) { harness.statusFile(id)?["stage"]?.stringValue == stage }
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(harness.statusFile(id)?["status"], .string("IN_PROGRESS"))
        try harness.stopDaemon(signal: SIGKILL)

        try harness.startDaemon()
        let doc = try harness.waitForFinalStatus(id, timeout: 120)
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.pretty)
        XCTAssertEqual(try harness.statusCommand(id), doc)
        let list = try JSONParser.parse(Data(try harness.cli(["list"]).stdout.utf8))
        XCTAssertEqual(list["meta"]?["total"], .integer(1), "one video per key")
        XCTAssertEqual(try harness.videoId(try harness.waitForReceipt(seller: "s", key: "k")), id)
        try harness.waitUntil("scratch cleaned", timeout: 5) {
            ((try? FileManager.default.contentsOfDirectory(atPath: harness.spool + "/scratch")) ?? []).isEmpty
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.spool + "/media/\(id)/video_hd.mp4"))
        XCTAssertEqual(try harness.stopDaemon(), 0)
        return harness
    }

    func testKill9DuringDownload_restartFinishesTheJobOnce() throws {
        _ = try killDuring(stage: "download", path: "/throttle/150000/h264_aac_10s.mp4", overrides: [:])
        XCTAssertEqual(server.requestCount(path: "/throttle/150000/h264_aac_10s.mp4"), 2, "the download ran again after the restart")
    }

    func testKill9DuringOptimization_restartFinishesTheJobOnce() throws {
        let harness = try killDuring(stage: "optimize", path: "/files/portrait_rotated_10s.mp4",
                                     overrides: ["optimization.preset": .string("medium")])
        XCTAssertEqual(server.requestCount(path: "/files/portrait_rotated_10s.mp4"), 1, "the finished download was not repeated")
        XCTAssertTrue(harness.logLines().contains { $0.contains("requeued 1 jobs") })
    }
}
