import Foundation
import IngestCore
import TestHTTPServer
import XCTest

/// `list`, `status`, `approve`, `reject`, `delete` against a spool the daemon filled
/// (CONTRACT sections 5 and 6), run while the daemon is up.
final class ModerationAndListTests: XCTestCase {
    private var server: TestHTTPServer!
    private var harness: DaemonHarness!

    override func setUpWithError() throws {
        server = try TestHTTPServer()
        server.fileRoot = DaemonHarness.samples
        harness = try DaemonHarness()
        try harness.startDaemon()
    }

    override func tearDownWithError() throws {
        if harness.daemon != nil { XCTAssertEqual(try harness.stopDaemon(), 0) }
        harness = nil
        server.stop()
    }

    private func json(_ result: (status: Int32, stdout: String, stderr: String)) throws -> JSONValue {
        XCTAssertEqual(result.status, 0, result.stderr)
        return try JSONParser.parse(Data(result.stdout.utf8))
    }

    private func succeed(_ key: String, seller: String = "s", ids: [String]) throws -> String {
        try harness.drop(seller: seller, key: key, body: DaemonHarness.body(url: server.url("/files/h264_aac_10s.mp4"), ids: ids))
        let id = try harness.videoId(try harness.waitForReceipt(seller: seller, key: key))
        XCTAssertEqual(try harness.waitForFinalStatus(id)["status"], .string("SUCCESS"))
        return id
    }

    func testApproveRejectDelete_followTheContract() throws {
        let older = try succeed("old", ids: ["P"])
        let newer = try succeed("new", ids: ["P"])
        // The newer video's status file is written first, then the older one's.
        try harness.waitUntil("the older video loses P", timeout: 5) { harness.statusFile(older)?["productContentIds"] == .array([]) }

        let approved = try json(try harness.cli(["approve", newer]))
        XCTAssertEqual(approved["isApproved"], .bool(true))
        XCTAssertEqual(harness.statusFile(newer)?["isApproved"], .bool(true), "the status file follows the CLI")

        // Rejecting the holder releases P: it goes back to the older SUCCESS video.
        let rejected = try json(try harness.cli(["reject", newer, "--reason", "blurry"]))
        XCTAssertEqual(rejected["isApproved"], .bool(false))
        XCTAssertEqual(rejected["productContentIds"], .array([]))
        XCTAssertEqual(harness.statusFile(older)?["productContentIds"], .array([.string("P")]))
        XCTAssertNotEqual(try harness.cli(["approve", newer]).status, 0, "a rejected video stays rejected")

        let deleted = try json(try harness.cli(["delete", older]))
        XCTAssertEqual(deleted["productContentIds"], .array([]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: harness.spool + "/media/\(older)"), "its media is removed")
        let listed = try json(try harness.cli(["list", "--seller", "s"]))
        XCTAssertEqual(listed["meta"]?["total"], .integer(1), "deleted videos are not listed")
        XCTAssertEqual(try harness.cli(["approve", "00000000-0000-0000-0000-000000000000"]).status, 1)
    }

    func testList_paginatesNewestFirst_andFilters() throws {
        var ids: [String] = []
        for i in 0..<5 { ids.append(try succeed("k\(i)", ids: ["p\(i)"])) }
        try harness.drop(seller: "s", key: "bad", body: DaemonHarness.body(url: server.url("/status/404")))
        let failed = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "bad"))
        XCTAssertEqual(try harness.waitForFinalStatus(failed)["status"], .string("FAILED"))
        _ = try succeed("x", seller: "t", ids: ["q"])

        let page0 = try json(try harness.cli(["list", "--seller", "s", "--size", "2"]))
        XCTAssertEqual(page0["meta"]?.compact, #"{"page":0,"total":6,"totalPage":3,"size":2}"#)
        guard case .array(let items0)? = page0["data"] else { return XCTFail() }
        XCTAssertEqual(items0.compactMap { $0["id"]?.stringValue }, [failed, ids[4]])
        let page2 = try json(try harness.cli(["list", "--seller", "s", "--size", "2", "--page", "2"]))
        guard case .array(let items2)? = page2["data"] else { return XCTFail() }
        XCTAssertEqual(items2.compactMap { $0["id"]?.stringValue }, [ids[1], ids[0]])

        let onlyFailed = try json(try harness.cli(["list", "--status", "FAILED"]))
        XCTAssertEqual(onlyFailed["meta"]?["total"], .integer(1))
        let byId = try json(try harness.cli(["list", "--id", ids[2]]))
        guard case .array(let one)? = byId["data"] else { return XCTFail() }
        XCTAssertEqual(one.count, 1)
        XCTAssertEqual(one.first, try harness.statusCommand(ids[2]))
        for key in ["id", "title", "description", "status", "videoUrl", "productContentIds", "optimizedVideoUrl", "errorCode", "isApproved"] {
            XCTAssertNotNil(one.first?[key], "every item has \(key)")
        }
        let all = try json(try harness.cli(["list"]))
        XCTAssertEqual(all["meta"]?["total"], .integer(7))
        XCTAssertEqual(all["meta"]?["size"], .integer(10))

        let bad = try harness.cli(["list", "--status", "DONE"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stdout.contains("seller.integration.invalid.status"))
        XCTAssertEqual(try harness.cli(["list", "--size", "101"]).status, 2)
        XCTAssertEqual(try harness.cli(["list", "--page", "-1"]).status, 2)
    }
}
