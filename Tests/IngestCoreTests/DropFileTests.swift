import Foundation
import XCTest
@testable import IngestCore

/// The drop folder is written by strangers: a drop must never make the daemon read another file
/// (symlink), block (FIFO) or read without bound (size cap) — docs/SECURITY.md, "Drop folder".
final class DropFileTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "video-ingest-drop-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    private func refusal(_ content: DropFile.Content) -> String? {
        if case .refused(let reason) = content { return reason }
        return nil
    }

    func testSymlink_isRefused_andItsTargetNotRead() throws {
        let secret = folder + "/secret.json"
        try Data(#"{"title":"secret"}"#.utf8).write(to: URL(fileURLWithPath: secret))
        XCTAssertEqual(symlink(secret, folder + "/link.json"), 0)
        XCTAssertEqual(refusal(DropFile.read(folder + "/link.json"))?.contains("symbolic link"), true)
    }

    func testFIFO_isRefused_withoutBlocking() throws {
        XCTAssertEqual(mkfifo(folder + "/pipe.json", 0o600), 0)
        let start = Date()
        XCTAssertNotNil(refusal(DropFile.read(folder + "/pipe.json")))
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
    }

    func testDirectory_isRefused() throws {
        try FileManager.default.createDirectory(atPath: folder + "/dir.json", withIntermediateDirectories: false)
        XCTAssertNotNil(refusal(DropFile.read(folder + "/dir.json")))
    }

    func testSizeCap_exactlyTheLimitIsRead_oneByteMoreIsRefused() throws {
        let atLimit = folder + "/limit.json", over = folder + "/over.json"
        try Data(count: RequestValidator.maxBodyBytes).write(to: URL(fileURLWithPath: atLimit))
        try Data(count: RequestValidator.maxBodyBytes + 1).write(to: URL(fileURLWithPath: over))
        guard case .body(let body) = DropFile.read(atLimit) else { return XCTFail("a body of exactly the limit is read") }
        XCTAssertEqual(body.count, RequestValidator.maxBodyBytes)
        XCTAssertEqual(refusal(DropFile.read(over))?.contains("larger than"), true)
    }

    func testVanishedDrop_isNotReady() {
        guard case .notReady = DropFile.read(folder + "/gone.json") else { return XCTFail("a missing drop is tried later") }
    }

    /// Through the daemon: a symlink dropped in a seller's folder gets a body.required receipt and
    /// moves to rejected/ as a link; the file it points at is neither read nor moved.
    func testDaemon_symlinkDrop_isRejected_andTargetUntouched() throws {
        let harness = try DaemonHarness()
        try harness.startDaemon()
        defer { _ = try? harness.stopDaemon() }
        let secret = harness.root + "/secret.json"
        let secretBody = DaemonHarness.body(url: "https://cdn.example.com/v.mp4")
        try Data(secretBody.utf8).write(to: URL(fileURLWithPath: secret))
        let inbox = harness.spool + "/inbox/seller-1"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        XCTAssertEqual(symlink(secret, inbox + "/.link.tmp"), 0)
        XCTAssertEqual(rename(inbox + "/.link.tmp", inbox + "/link.json"), 0)

        let receipt = try harness.waitForReceipt(seller: "seller-1", key: "link")
        XCTAssertEqual(receipt["errors"]?.compact.contains("seller.integration.body.required"), true, receipt.compact)
        XCTAssertNil(receipt["videoId"])
        XCTAssertEqual(String(decoding: FileManager.default.contents(atPath: secret) ?? Data(), as: UTF8.self), secretBody)
        let list = try harness.cli(["list", "--seller", "seller-1"])
        XCTAssertEqual(try JSONParser.parse(Data(list.stdout.utf8))["meta"]?["total"], .integer(0))
    }
}
