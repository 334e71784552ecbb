import Foundation
import IngestCore
import TestHTTPServer
import XCTest

/// The fault matrix of media children started ahead of need (docs/ARCHITECTURE.md, "Isolation"):
/// a warm child killed with SIGKILL before it is used is replaced and fails no job; a daemon killed
/// with SIGKILL while a warm child waits leaves no media child behind, and the job is recovered at
/// the next start; one child serves one run only.
final class WarmMediaChildTests: XCTestCase {
    private var server: TestHTTPServer!
    private var harness: DaemonHarness!
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "video-ingest-warm-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        server = try TestHTTPServer()
        server.fileRoot = folder
        try FileManager.default.copyItem(atPath: DaemonHarness.samples + "/h264_aac_10s.mp4", toPath: folder + "/good.mp4")
    }

    override func tearDownWithError() throws {
        if let harness, harness.daemon != nil { XCTAssertEqual(try harness.stopDaemon(), 0) }
        harness = nil
        server.stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func dropAndWait(key: String) throws -> JSONValue {
        try harness.drop(seller: "s", key: key, body: DaemonHarness.body(url: server.url("/files/good.mp4")))
        let id = try harness.videoId(try harness.waitForReceipt(seller: "s", key: key))
        return try harness.waitForFinalStatus(id, timeout: 120)
    }

    private func children() -> [Int32] { MediaIsolationEndToEndTests.mediaChildren(of: harness.root) }

    /// True while `pid` is a live process (not gone, not a zombie).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !stat.contains(") Z ")
    }

    func testWarmChildKilledWithSIGKILL_beforeUse_isReplaced_andTheNextJobSucceeds() throws {
        harness = try DaemonHarness(["workers": .integer(1)])
        try harness.startDaemon()
        XCTAssertEqual(try dropAndWait(key: "k1")["status"], .string("SUCCESS"))
        // After the optimization's child exited, one warm child waits for the next job.
        try harness.waitUntil("a warm media child waits", timeout: 20) { children().count == 1 }
        let warm = try XCTUnwrap(children().first)
        XCTAssertEqual(kill(warm, SIGKILL), 0)
        try harness.waitUntil("the warm child is dead", timeout: 10) { !Self.isRunning(warm) }

        let doc = try dropAndWait(key: "k2")
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.compact)
        XCTAssertFalse(harness.logLines().contains { $0.contains("retrying the job once") }, "no media crash was counted")
        XCTAssertFalse(children().contains(warm))
        XCTAssertTrue(harness.daemon?.isRunning ?? false)
    }

    func testWarmChildDyingAfterTheRequest_beforeAcceptingIt_isReplacedOnce_andCountsNoCrash() throws {
        harness = try DaemonHarness(["workers": .integer(1)])
        let marker = folder + "/warm-killed"
        try harness.startDaemon(environment: [MediaChildCommand.testHookVariable: "warm-kill-once:" + marker])
        let doc = try dropAndWait(key: "k")
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.compact)
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker), "a warm child did kill itself")
        let log = harness.logLines()
        XCTAssertEqual(log.filter { $0.contains("died before it took the request") && $0.contains("starting another") }.count, 1)
        XCTAssertFalse(log.contains { $0.contains("retrying the job once") }, "no media crash was counted")
    }

    func testDaemonKilledWithSIGKILL_withAWarmChild_leavesNoMediaChild_andTheJobIsRecovered() throws {
        harness = try DaemonHarness(["workers": .integer(1), "pipeline.mediaDeadlineSeconds": .integer(600)])
        try harness.startDaemon(environment: [MediaChildCommand.testHookVariable: "hang"])
        try harness.drop(seller: "s", key: "k", body: DaemonHarness.body(url: server.url("/files/good.mp4")))
        let id = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "k"))
        // The check's child hangs in the hook; the optimization's child is warm beside it.
        try harness.waitUntil("the check's child and a warm child", timeout: 20) { children().count == 2 }
        let before = children()
        try harness.stopDaemon(signal: SIGKILL)
        try harness.waitUntil("no media child is left", timeout: 10) { before.allSatisfy { !Self.isRunning($0) } }
        XCTAssertEqual(children(), [])

        try harness.startDaemon()
        let doc = try harness.waitForFinalStatus(id, timeout: 120)
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.compact)
        XCTAssertTrue(harness.logLines().contains { $0.contains("requeued 1 jobs left running") })
    }

    func testStop_killsTheWarmChildren() throws {
        harness = try DaemonHarness(["workers": .integer(2)])
        try harness.startDaemon()
        XCTAssertEqual(try dropAndWait(key: "k")["status"], .string("SUCCESS"))
        try harness.waitUntil("a warm media child waits", timeout: 20) { !children().isEmpty }
        let warm = children()
        XCTAssertEqual(try harness.stopDaemon(), 0)
        XCTAssertTrue(warm.allSatisfy { !Self.isRunning($0) }, "the daemon reaped its warm children")
    }
}
