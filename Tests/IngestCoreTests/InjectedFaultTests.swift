import Foundation
import IngestCore
import TestHTTPServer
import XCTest

/// Worker faults injected into a running daemon: full disk and I/O errors at the writes
/// (`VIDEO_INGEST_FAULT_WRITES`), and the store held locked by another process. Each is the
/// worker's fault, never the seller's: jobs wait and retry, drops stay until answered, nothing
/// ends FAILED, and everything completes once the fault clears.
final class InjectedFaultTests: XCTestCase {
    private var server: TestHTTPServer!

    override func setUpWithError() throws {
        server = try TestHTTPServer()
        server.fileRoot = DaemonHarness.samples
    }

    override func tearDown() { server.stop() }

    private func count(_ harness: DaemonHarness, _ text: String) -> Int { harness.logLines().filter { $0.contains(text) }.count }

    /// Every video SUCCESS, its status file equal to the store, the inbox and scratch empty.
    private func assertAllSucceeded(_ harness: DaemonHarness, ids: [String], line: UInt = #line) throws {
        for id in ids {
            let doc = try harness.waitForFinalStatus(id, timeout: 60)
            XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.pretty, line: line)
        }
        let videos = try harness.listAll()
        XCTAssertEqual(Set(videos.compactMap { $0["id"]?.stringValue }), Set(ids), "one video per key", line: line)
        XCTAssertEqual(videos.filter { $0["status"] != .string("SUCCESS") }.count, 0, line: line)
        for id in ids {
            let stored = try harness.statusCommand(id)
            try harness.waitUntil("status/\(id).json equals the store", timeout: 15) { harness.statusFile(id) == stored }
        }
        try harness.waitUntil("scratch is empty", timeout: 10) { harness.files(under: "scratch").isEmpty }
        XCTAssertEqual(harness.files(under: "rejected"), [], line: line)
        XCTAssertTrue(harness.files(under: "inbox").allSatisfy { !$0.hasSuffix(".json") }, "\(harness.files(under: "inbox"))", line: line)
    }

    func testENOSPC_atStatusFilesAndReceipts_retriedUntilTheDiskHasRoom() throws {
        let harness = try DaemonHarness()
        // One video enqueued before the daemon starts, so its id can be named: its 6th status file
        // write (the one right after SUCCESS is committed) and the repair pass's first retry fail.
        let request = harness.root + "/request.json"
        try Data(DaemonHarness.body(url: server.url("/files/h264_aac_10s.mp4"), ids: ["1"]).utf8).write(to: URL(fileURLWithPath: request))
        let enqueued = try harness.cli(["enqueue", "--seller", "s", "--key", "early", request])
        XCTAssertEqual(enqueued.status, 0, enqueued.stderr)
        let early = try XCTUnwrap(try JSONParser.parse(Data(enqueued.stdout.utf8))["videoId"]?.stringValue)

        try harness.startDaemon(environment: [WriteFaults.environmentVariable: "ENOSPC:\(early).json:2:5,ENOSPC:status:3,ENOSPC:receipts:2"])
        try harness.drop(seller: "s", key: "k", body: DaemonHarness.body(url: server.url("/files/h264_aac_10s.mp4"), ids: ["2"]))
        let id = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "k"))
        try assertAllSucceeded(harness, ids: [early, id])
        try harness.waitUntil("every fault fired", timeout: 15) { count(harness, "injected write fault ENOSPC") == 7 }
        XCTAssertGreaterThan(count(harness, "cannot answer the drops; they will be answered again"), 0, "the drop waited in the inbox")
        XCTAssertEqual(count(harness, "status files not rewritten after the commit"), 1, "SUCCESS stood; the file was repaired")
        XCTAssertGreaterThan(count(harness, "rewrote 1 status files"), 0)
        XCTAssertEqual(try harness.stopDaemon(), 0)
    }

    func testEIO_atTheDownloadScratchFileAndAReceipt_retriedUntilItClears() throws {
        let harness = try DaemonHarness()
        try harness.startDaemon(environment: [WriteFaults.environmentVariable: "EIO:source.part:2,EIO:receipts:1"])
        let path = "/files/h264_aac_10s.mp4"
        try harness.drop(seller: "s", key: "k", body: DaemonHarness.body(url: server.url(path)))
        let id = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "k"))
        try assertAllSucceeded(harness, ids: [id])
        XCTAssertEqual(count(harness, "injected write fault EIO"), 3)
        XCTAssertEqual(harness.logLines().filter { $0.contains("worker fault; retrying") && $0.contains("Input/output error") }.count, 2)
        XCTAssertEqual(server.requestCount(path: path), 3, "two failed downloads, then the good one")
        XCTAssertEqual(try harness.stopDaemon(), 0)
    }

    func testStoreHeldLockedByAnotherProcess_nothingCrashesOrIsLost() throws {
        // One worker, so the running job's own store calls meet the lock rather than a second worker's.
        let harness = try DaemonHarness(["workers": .integer(1)])
        try harness.startDaemon()
        let slow = "/throttle/100000/h264_aac_10s.mp4"
        try harness.drop(seller: "s", key: "k1", body: DaemonHarness.body(url: server.url(slow), ids: ["1"]))
        let first = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "k1"))
        try harness.waitUntil("k1 is downloading", timeout: 20) { harness.statusFile(first)?["stage"]?.stringValue == "download" }

        // Another process takes the write lock and keeps it for 13 s, well past the
        // daemon's 5 s busy timeout.
        let locked = harness.root + "/locked"
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        holder.arguments = [harness.spool + "/state/ingest.sqlite"]
        let input = Pipe()
        holder.standardInput = input
        holder.standardOutput = FileHandle.nullDevice
        try holder.run()
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
        input.fileHandleForWriting.write(Data(".timeout 10000\nBEGIN EXCLUSIVE;\n.shell touch '\(locked)'\n".utf8))
        try harness.waitUntil("the other process holds the lock", timeout: 15) { FileManager.default.fileExists(atPath: locked) }
        let lockedAt = Date()
        try harness.drop(seller: "s", key: "k2", body: DaemonHarness.body(url: server.url("/files/h264_aac_10s.mp4"), ids: ["2"]))
        try harness.drop(seller: "t", key: "k3", body: DaemonHarness.body(url: server.url("/files/no_audio_10s.mp4"), ids: ["3"]))
        Thread.sleep(forTimeInterval: max(0, 13 - Date().timeIntervalSince(lockedAt)))
        XCTAssertTrue(harness.daemon?.isRunning == true, "the daemon rides out the lock")
        input.fileHandleForWriting.write(Data("COMMIT;\n.quit\n".utf8))
        try input.fileHandleForWriting.close()
        holder.waitUntilExit()

        let second = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "k2", timeout: 30))
        let third = try harness.videoId(try harness.waitForReceipt(seller: "t", key: "k3", timeout: 30))
        try assertAllSucceeded(harness, ids: [first, second, third])
        XCTAssertGreaterThan(count(harness, "database is locked"), 0, "the lock was felt")
        XCTAssertEqual(try harness.stopDaemon(), 0)
    }
}
