import Foundation
@testable import IngestCore
import IngestStore
import TestHTTPServer
import XCTest

/// The daemon's fleet behaviour that SQLite can show (CONTRACT 4, 8, 10): a store that stops
/// answering (the `StoreDownFault` hook, as a PostgreSQL server that stops would) makes /readyz
/// 503, leaves drops in the inbox and retries jobs, never FAILED; the status files of the spool's
/// own videos follow a change committed by another process within 2 s.
final class FleetDaemonTests: XCTestCase {
    private var http: TestHTTPServer!
    private var harness: DaemonHarness!

    override func setUpWithError() throws {
        http = try TestHTTPServer()
        http.fileRoot = DaemonHarness.samples
    }

    override func tearDownWithError() throws {
        if let harness, harness.daemon != nil { _ = try harness.stopDaemon() }
        harness = nil
        http.stop()
    }

    private func readyz(_ port: Int) -> Int? { (try? HTTPClient.request(port: port, "GET", "/readyz", timeout: 2))?.status }

    func testStoreDown_readyz503_dropWaitsInTheInbox_jobRetriedNeverFailed_cliSaysWhy_andAllGoesOnWhenItIsBack() throws {
        harness = try DaemonHarness(DaemonHarness.apiConfig(["store.leaseSeconds": .integer(3)]))
        let marker = harness.root + "/store-down"
        let fault = [StoreDownFault.environmentVariable: marker]
        try harness.startDaemon(environment: fault)
        let port = try harness.httpPort()
        XCTAssertEqual(readyz(port), 200)

        // A job in its download (3 s delay) when the store goes away.
        try harness.drop(seller: "seller-1", key: "before", body: DaemonHarness.body(url: http.url("/delay/3000/h264_aac_10s.mp4")))
        let first = try harness.videoId(try harness.waitForReceipt(seller: "seller-1", key: "before"))
        try harness.waitUntil("the download starts", timeout: 10) { http.requestCount(path: "/delay/3000/h264_aac_10s.mp4") > 0 }
        XCTAssertTrue(FileManager.default.createFile(atPath: marker, contents: nil))
        try harness.waitUntil("readyz 503 while the store is down", timeout: 5) { readyz(port) == 503 }

        try harness.drop(seller: "seller-1", key: "during", body: DaemonHarness.body(url: http.url("/files/h264_aac_10s.mp4")))
        let status = try harness.cli(["status", first], environment: fault)
        XCTAssertEqual(status.status, 1)
        XCTAssertTrue(status.stderr.contains("does not answer"), status.stderr)
        XCTAssertEqual(status.stderr.split(separator: "\n").count, 1, "one line: \(status.stderr)")
        let list = try harness.cli(["list"], environment: fault)
        XCTAssertEqual(list.status, 1)
        XCTAssertTrue(list.stderr.contains("does not answer"), list.stderr)
        Thread.sleep(forTimeInterval: 4)  // the download ends meanwhile; its result cannot be recorded
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.spool + "/inbox/seller-1/during.json"), "the drop waits")
        XCTAssertFalse(FileManager.default.fileExists(atPath: harness.receiptPath(seller: "seller-1", key: "during")),
                       "no receipt before the store commits")
        XCTAssertEqual(readyz(port), 503)

        try FileManager.default.removeItem(atPath: marker)
        try harness.waitUntil("readyz 200 once the store is back", timeout: 5) { readyz(port) == 200 }
        let second = try harness.videoId(try harness.waitForReceipt(seller: "seller-1", key: "during"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: harness.spool + "/inbox/seller-1/during.json"))
        for id in [first, second] {
            let document = try harness.waitForFinalStatus(id, timeout: 120)
            XCTAssertEqual(document["status"]?.stringValue, "SUCCESS", "\(id): \(document.compact)")
        }
        XCTAssertTrue(harness.logLines().contains { $0.contains(first) && $0.contains("does not answer") },
                      "the running job met the store's absence (a worker fault, retried): \(harness.logLines().suffix(20))")
        XCTAssertTrue(harness.logLines().contains { $0.contains("cannot read the intake rate") || $0.contains("cannot store the request") })
    }

    func testAChangeCommittedByAnotherProcess_reachesThisSpoolsStatusFile_within2s() throws {
        harness = try DaemonHarness()
        try harness.startDaemon()
        try harness.drop(seller: "seller-1", key: "k1", body: DaemonHarness.body(url: http.url("/files/h264_aac_10s.mp4")))
        let id = try harness.videoId(try harness.waitForReceipt(seller: "seller-1", key: "k1"))
        XCTAssertEqual(try harness.waitForFinalStatus(id)["status"]?.stringValue, "SUCCESS")
        XCTAssertEqual(harness.statusFile(id)?["isApproved"], .bool(false))

        // Another process (in a fleet: another daemon) approves through the store alone, writing no status file here.
        let other = try SQLiteVideoStore(path: SpoolLayout(root: harness.spool).databasePath)
        _ = try other.approve(videoId: id)
        let changed = Date()
        try harness.waitUntil("the status file shows the approval", timeout: 2) { harness.statusFile(id)?["isApproved"] == .bool(true) }
        XCTAssertLessThan(Date().timeIntervalSince(changed), 2.0)
        // The daemon marks the version written just after it renames the file into place.
        try harness.waitUntil("the written version is recorded", timeout: 2) {
            try other.staleStatusVideoIds(origin: VideoOrigin.embeddedSpool).isEmpty
        }
    }
}

/// `SpoolOrigin`: the embedded store's spool is `local`; on a shared store a spool names itself by
/// the id in `state/spool-id`, made once, the same for every process that asks at once.
final class SpoolOriginTests: XCTestCase {
    func testEmbeddedStore_isLocal_andASharedStoreGetsOneStableIdPerSpool_evenWhenAskedConcurrently() throws {
        let root = NSTemporaryDirectory() + "spool-origin-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let a = SpoolLayout(root: root + "/a"), b = SpoolLayout(root: root + "/b")
        try a.create()
        try b.create()
        XCTAssertEqual(try SpoolOrigin.of(a, config: IngestConfig()), VideoOrigin.embeddedSpool)
        XCTAssertFalse(FileManager.default.fileExists(atPath: a.state + "/spool-id"))

        var sharedConfig = IngestConfig()
        sharedConfig.store.url = "postgresql://ingest@localhost:5432/ingest"
        let shared = sharedConfig
        let ids = LockedValue<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            if let id = try? SpoolOrigin.of(a, config: shared) { ids.withValue { $0.append(id) } }
        }
        XCTAssertEqual(ids.withValue { $0 }.count, 8)
        XCTAssertEqual(Set(ids.withValue { $0 }).count, 1, "every process of the spool agrees")
        let idA = try SpoolOrigin.of(a, config: shared)
        XCTAssertEqual(idA, ids.withValue { $0 }.first)
        XCTAssertEqual(UUID(uuidString: idA)?.uuidString.lowercased(), idA)
        XCTAssertNotEqual(try SpoolOrigin.of(b, config: shared), idA, "another spool is another origin")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: a.state).filter { $0.hasPrefix(".spool-id") }, [],
                       "no candidate file is left behind")
    }
}
