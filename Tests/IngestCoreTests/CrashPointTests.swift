import Foundation
import IngestCore
import TestHTTPServer
import XCTest

/// `VIDEO_INGEST_CRASH_AT=<point>`: the daemon dies (SIGKILL) at a named point, as in a power cut;
/// a restart without the variable must finish the drop exactly once and leave a consistent spool.
final class CrashPointTests: XCTestCase {
    private var server: TestHTTPServer!

    override func setUpWithError() throws {
        server = try TestHTTPServer()
        server.fileRoot = DaemonHarness.samples
    }

    override func tearDown() { server.stop() }

    /// Drops one video with the crash point armed, waits for the daemon to die there, restarts it
    /// and checks the end state. Returns the harness (stopped) for extra checks.
    @discardableResult
    private func crash(at point: CrashPoint, path: String = "/files/h264_aac_10s.mp4") throws -> DaemonHarness {
        let harness = try DaemonHarness()
        try harness.startDaemon(environment: [CrashPoint.environmentVariable: point.rawValue])
        try harness.drop(seller: "s", key: "k", body: DaemonHarness.body(url: server.url(path)))
        XCTAssertEqual(try harness.waitForDaemonExit(timeout: 60), SIGKILL, "died of SIGKILL")
        XCTAssertTrue(harness.logLines().contains { $0.contains("crash point reached: \(point.rawValue)") })

        try harness.startDaemon()
        let id = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "k"))
        let doc = try harness.waitForFinalStatus(id, timeout: 60)
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.pretty)
        try assertConsistent(harness, id: id)
        XCTAssertEqual(try harness.stopDaemon(), 0)
        return harness
    }

    /// One video for the key, one receipt naming it, status files equal to the store, no scratch,
    /// the drop gone, the rendition published once.
    private func assertConsistent(_ harness: DaemonHarness, id: String, line: UInt = #line) throws {
        let videos = try harness.listAll()
        XCTAssertEqual(videos.map { $0["id"]?.stringValue }, [id], "exactly one video for the key", line: line)
        XCTAssertEqual(harness.files(under: "receipts"), ["s", "s/k.json"], line: line)
        XCTAssertEqual(try harness.videoId(try harness.waitForReceipt(seller: "s", key: "k")), id, line: line)
        // The status file may be rewritten a moment after the final status shows (the repair pass).
        for video in videos {
            let vid = try XCTUnwrap(video["id"]?.stringValue)
            let stored = try harness.statusCommand(vid)
            try harness.waitUntil("status/\(vid).json equals the store", timeout: 10) { harness.statusFile(vid) == stored }
        }
        XCTAssertEqual(harness.files(under: "status"), ["\(id).json"], line: line)
        try harness.waitUntil("scratch is empty", timeout: 10) { harness.files(under: "scratch").isEmpty }
        XCTAssertEqual(harness.files(under: "inbox"), ["s"], "the drop is gone from the inbox", line: line)
        XCTAssertEqual(harness.files(under: "rejected"), [], line: line)
        XCTAssertEqual(harness.files(under: "media"), [id, "\(id)/poster.jpg", "\(id)/video_hd.mp4"], line: line)
    }

    func testAfterStoreBeforeReceipt() throws {
        try crash(at: .afterStoreBeforeReceipt)
    }

    func testAfterReceiptBeforeRemove() throws {
        try crash(at: .afterReceiptBeforeRemove)
    }

    /// Intake's group commit: 30 drops waiting when the daemon starts are stored in one
    /// transaction and answered as one batch; a crash after the batch's commit loses none and a
    /// restart doubles none.
    func testBatchOfDrops_crashAfterStoreBeforeReceipts_eachAnsweredOnce() throws {
        try crashBatch(at: .afterStoreBeforeReceipt, receiptsWritten: false)
    }

    /// The same with the crash after every receipt of the batch is written, the drops still in the inbox.
    func testBatchOfDrops_crashAfterReceiptsBeforeRemove_eachAnsweredOnce() throws {
        try crashBatch(at: .afterReceiptBeforeRemove, receiptsWritten: true)
    }

    private func crashBatch(at point: CrashPoint, receiptsWritten: Bool) throws {
        let harness = try DaemonHarness()
        let keys = (0..<30).map { "k\($0)" }
        try harness.startDaemon(environment: [CrashPoint.environmentVariable: point.rawValue])
        // Written under dot-names, then renamed in at once: the daemon's next scan takes them as one batch.
        // A missing file: each job fails at once, so the test is about intake alone.
        let folder = harness.spool + "/inbox/s"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for key in keys {
            let body = DaemonHarness.body(url: server.url("/files/missing-\(key).mp4"), title: "Video \(key)")
            try Data(body.utf8).write(to: URL(fileURLWithPath: folder + "/.\(key).tmp"))
        }
        for key in keys { XCTAssertEqual(rename(folder + "/.\(key).tmp", folder + "/\(key).json"), 0) }
        XCTAssertEqual(try harness.waitForDaemonExit(timeout: 60), SIGKILL, "died of SIGKILL")
        let receipts = { harness.files(under: "receipts").filter { $0.hasSuffix(".json") } }
        if !receiptsWritten {
            XCTAssertEqual(receipts().count, 0, "no receipt before the batch's answers")
        } else {
            // Every receipt of the first batch (all 30 unless inotify woke the scan mid-rename) is written.
            XCTAssertGreaterThan(receipts().count, 0, "the batch's receipts were written before the crash")
        }
        XCTAssertEqual(harness.files(under: "inbox").count, 31, "every drop is still in the inbox")

        try harness.startDaemon()
        var ids = Set<String>()
        for key in keys { ids.insert(try harness.videoId(try harness.waitForReceipt(seller: "s", key: key))) }
        XCTAssertEqual(ids.count, 30, "one distinct video per drop")
        for id in ids { XCTAssertEqual(try harness.waitForFinalStatus(id, timeout: 60)["status"], .string("FAILED")) }
        let stored = try harness.listAll().compactMap { $0["id"]?.stringValue }
        XCTAssertEqual(Set(stored), ids, "the store holds exactly the receipts' videos")
        XCTAssertEqual(stored.count, 30)
        XCTAssertEqual(receipts().count, 30)
        XCTAssertEqual(harness.files(under: "inbox"), ["s"], "every drop is gone from the inbox")
        for id in ids {
            let stored = try harness.statusCommand(id)
            try harness.waitUntil("status/\(id).json equals the store", timeout: 10) { harness.statusFile(id) == stored }
        }
        XCTAssertEqual(try harness.stopDaemon(), 0)
    }

    func testMidDownload_downloadsAgain() throws {
        let path = "/throttle/200000/h264_aac_10s.mp4"
        try crash(at: .midDownload, path: path)
        XCTAssertEqual(server.requestCount(path: path), 2, "the partial download was thrown away and fetched again")
    }

    func testAfterDownload_stageRecorded_restartUsesTheScratchCopy() throws {
        let harness = try crash(at: .afterDownload)
        XCTAssertEqual(server.requestCount(path: "/files/h264_aac_10s.mp4"), 1, "the recorded download is not fetched again")
        XCTAssertTrue(harness.logLines().contains { $0.contains("requeued 1 jobs") })
    }

    func testMidOptimize() throws {
        try crash(at: .midOptimize)
        XCTAssertEqual(server.requestCount(path: "/files/h264_aac_10s.mp4"), 1)
    }

    func testAfterMediaMoveBeforeCommit() throws {
        try crash(at: .afterMediaMoveBeforeCommit)
    }

    func testAfterCommitBeforeStatus_startUpRewritesTheStatusFile() throws {
        let harness = try crash(at: .afterCommitBeforeStatus)
        XCTAssertTrue(harness.logLines().contains { $0.contains("rewrote 1 status files") })
    }
}
