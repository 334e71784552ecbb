import Foundation
import IngestCore
import TestHTTPServer
import XCTest

/// The fault matrix of the media fork server with a real daemon (docs/ARCHITECTURE.md, "Isolation"):
/// the server killed with SIGKILL while idle is replaced and fails no job; killed while its child
/// works, the job is retried as a worker fault and counts no media crash; a child dying after the
/// request but before it accepts it is replaced once; a daemon killed with SIGKILL leaves neither
/// the server nor a child behind, and the job is recovered at the next start; a stop kills the server.
final class MediaForkServerEndToEndTests: XCTestCase {
    private var server: TestHTTPServer!
    private var harness: DaemonHarness!
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "video-ingest-forks-" + UUID().uuidString.prefix(8)
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

    /// The spool's media processes: the fork server and its children (they share its command line).
    private func mediaProcesses() -> [Int32] { MediaIsolationEndToEndTests.mediaChildren(of: harness.root) }

    /// The spool's fork server (its process name is `media-forks`).
    private func forkServers() -> [Int32] {
        mediaProcesses().filter { pid in
            (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.hasPrefix(MediaChildCommand.serverName) ?? false
        }
    }

    /// True while `pid` is a live process (not gone, not a zombie).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !stat.contains(") Z ")
    }

    private var log: [String] { harness.logLines() }

    func testForkServerKilledWithSIGKILL_whileIdle_isReplaced_andTheNextJobSucceeds() throws {
        harness = try DaemonHarness(["workers": .integer(1)])
        try harness.startDaemon()
        XCTAssertEqual(try dropAndWait(key: "k1")["status"], .string("SUCCESS"))
        // The job's children have exited; the server waits for the next job.
        try harness.waitUntil("only the fork server is left", timeout: 20) { mediaProcesses().count == 1 && forkServers().count == 1 }
        let first = try XCTUnwrap(forkServers().first)
        XCTAssertEqual(kill(first, SIGKILL), 0)
        try harness.waitUntil("the fork server is dead", timeout: 10) { !Self.isRunning(first) }

        let doc = try dropAndWait(key: "k2")
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.compact)
        XCTAssertFalse(log.contains { $0.contains("retrying the job once") }, "no media crash was counted")
        XCTAssertFalse(log.contains { $0.contains("spawning the media worker") }, "a new server forked the children")
        let second = try XCTUnwrap(forkServers().first)
        XCTAssertNotEqual(second, first)
        XCTAssertTrue(harness.daemon?.isRunning ?? false)
    }

    func testForkServerKilledWithSIGKILL_whileItsChildWorks_retriesTheJob_countingNoCrash() throws {
        harness = try DaemonHarness(["workers": .integer(1), "pipeline.mediaDeadlineSeconds": .integer(600),
                                     "pipeline.faultBackoffSeconds": .number(0.2)])
        let marker = folder + "/hung"
        try harness.startDaemon(environment: [MediaChildCommand.testHookVariable: "hang-once:" + marker])
        try harness.drop(seller: "s", key: "k", body: DaemonHarness.body(url: server.url("/files/good.mp4")))
        let id = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "k"))
        // The marker exists once the child is in the hook (a child killed before it would hang the retry).
        try harness.waitUntil("a media child hangs in the hook", timeout: 30) {
            FileManager.default.fileExists(atPath: marker) && !MediaIsolationEndToEndTests.workingMediaChildren(of: harness.root).isEmpty
        }
        let working = MediaIsolationEndToEndTests.workingMediaChildren(of: harness.root)
        let forks = try XCTUnwrap(forkServers().first)
        XCTAssertEqual(kill(forks, SIGKILL), 0)
        try harness.waitUntil("the working child died with its server", timeout: 10) { working.allSatisfy { !Self.isRunning($0) } }

        let doc = try harness.waitForFinalStatus(id, timeout: 120)
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.compact)
        XCTAssertEqual(log.filter { $0.contains("the media fork server died while its child ran") }.count, 1)
        XCTAssertFalse(log.contains { $0.contains("retrying the job once") }, "no media crash was counted")
    }

    func testChildDyingAfterTheRequest_beforeAcceptingIt_isReplacedOnce_andCountsNoCrash() throws {
        harness = try DaemonHarness(["workers": .integer(1)])
        let marker = folder + "/warm-killed"
        try harness.startDaemon(environment: [MediaChildCommand.testHookVariable: "warm-kill-once:" + marker])
        let doc = try dropAndWait(key: "k")
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.compact)
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker), "a child did kill itself")
        XCTAssertEqual(log.filter { $0.contains("died before it took the request") && $0.contains("starting another") }.count, 1)
        XCTAssertFalse(log.contains { $0.contains("retrying the job once") }, "no media crash was counted")
    }

    func testDaemonKilledWithSIGKILL_withTheForkServerAndAWorkingChild_leavesNoMediaProcess_andTheJobIsRecovered() throws {
        harness = try DaemonHarness(["workers": .integer(1), "pipeline.mediaDeadlineSeconds": .integer(600)])
        try harness.startDaemon(environment: [MediaChildCommand.testHookVariable: "hang"])
        try harness.drop(seller: "s", key: "k", body: DaemonHarness.body(url: server.url("/files/good.mp4")))
        let id = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "k"))
        // The check's child hangs in the hook beside the server that forked it.
        try harness.waitUntil("the fork server and the check's child", timeout: 20) {
            forkServers().count == 1 && !MediaIsolationEndToEndTests.workingMediaChildren(of: harness.root).isEmpty
        }
        let before = mediaProcesses()
        XCTAssertEqual(before.count, 2)
        try harness.stopDaemon(signal: SIGKILL)
        try harness.waitUntil("no media process is left", timeout: 10) { before.allSatisfy { !Self.isRunning($0) } }
        XCTAssertEqual(mediaProcesses(), [])

        try harness.startDaemon()
        let doc = try harness.waitForFinalStatus(id, timeout: 120)
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.compact)
        XCTAssertTrue(log.contains { $0.contains("requeued 1 jobs left running") })
    }

    func testStop_killsTheForkServer() throws {
        harness = try DaemonHarness(["workers": .integer(2)])
        try harness.startDaemon()
        XCTAssertEqual(try dropAndWait(key: "k")["status"], .string("SUCCESS"))
        try harness.waitUntil("the fork server waits", timeout: 20) { !forkServers().isEmpty }
        let processes = mediaProcesses()
        XCTAssertEqual(try harness.stopDaemon(), 0)
        XCTAssertTrue(processes.allSatisfy { !Self.isRunning($0) }, "the daemon killed and reaped its fork server")
    }
}
