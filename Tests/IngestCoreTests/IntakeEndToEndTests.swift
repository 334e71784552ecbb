import Foundation
import IngestCore
import TestHTTPServer
import XCTest

/// Drop folder → receipts, through a real daemon process (CONTRACT sections 2 and 3).
final class IntakeEndToEndTests: XCTestCase {
    private var harness: DaemonHarness!
    // A URL that is never fetched successfully: these tests are about intake.
    private let url = "http://127.0.0.1:9/video.mp4"

    override func setUpWithError() throws {
        harness = try DaemonHarness(["download.allowedNetworks": .array([])])
        try harness.startDaemon()
    }

    override func tearDownWithError() throws {
        if harness.daemon != nil { XCTAssertEqual(try harness.stopDaemon(), 0) }
        harness = nil
    }

    private func errorCodes(_ receipt: JSONValue) -> [String] {
        guard case .array(let errors)? = receipt["errors"] else { return [] }
        return errors.compactMap { $0["code"]?.stringValue }
    }

    func testInvalidDrops_getErrorReceipts_andMoveToRejected() throws {
        let cases: [(String, String, [String])] = [
            ("empty", "", ["seller.integration.body.required"]),
            ("array", "[1,2]", ["seller.integration.body.required"]),
            ("broken", "{\"title\": ", ["seller.integration.body.required"]),
            ("title-missing", #"{"videoUrl":"http://a.example/v.mp4","productContentIds":["1"],"storeFrontCode":"TR"}"#,
             ["seller.integration.title.required"]),
            ("title-short", DaemonHarness.body(url: url, title: "ab"), ["seller.integration.title.length"]),
            ("desc-long", DaemonHarness.body(url: url, extra: []).replacingOccurrences(of: "New season product promotion", with: String(repeating: "d", count: 501)),
             ["seller.integration.description.length"]),
            ("url-missing", #"{"title":"Good title","productContentIds":["1"],"storeFrontCode":"TR"}"#, ["seller.integration.video.url.required"]),
            ("url-ftp", DaemonHarness.body(url: "ftp://a.example/v.mp4"), ["seller.integration.video.url.invalid"]),
            ("ids-empty", DaemonHarness.body(url: url, ids: []), ["seller.integration.product.content.ids.required"]),
            ("ids-101", DaemonHarness.body(url: url, ids: (0...100).map { "p\($0)" }), ["seller.integration.product.content.ids.max"]),
            ("type-bad", DaemonHarness.body(url: url, extra: [("videoContentType", .string("MOVIE"))]), ["seller.integration.invalid.video.content.type"]),
            ("store-bad", DaemonHarness.body(url: url).replacingOccurrences(of: "\"TR\"", with: "\"XX\""), ["seller.integration.invalid.store.front.code"]),
            ("many", #"{"title":"x","videoUrl":"nope","productContentIds":[]}"#,
             ["seller.integration.title.length", "seller.integration.video.url.invalid",
              "seller.integration.product.content.ids.required", "seller.integration.invalid.store.front.code"]),
        ]
        for (key, body, _) in cases { try harness.drop(seller: "seller-1", key: key, body: body) }
        for (key, body, expected) in cases {
            let receipt = try harness.waitForReceipt(seller: "seller-1", key: key)
            XCTAssertEqual(errorCodes(receipt), expected, key)
            XCTAssertNil(receipt["videoId"], key)
            let rejected = harness.spool + "/rejected/seller-1/\(key).json"
            try harness.waitUntil("\(key) moved to rejected/", timeout: 5) { FileManager.default.fileExists(atPath: rejected) }
            XCTAssertEqual(String(decoding: FileManager.default.contents(atPath: rejected) ?? Data(), as: UTF8.self), body, "the original drop is kept")
            XCTAssertFalse(FileManager.default.fileExists(atPath: harness.spool + "/inbox/seller-1/\(key).json"), key)
        }
        let list = try harness.cli(["list", "--seller", "seller-1"])
        XCTAssertEqual(try JSONParser.parse(Data(list.stdout.utf8))["meta"]?["total"], .integer(0))
    }

    func testDropOutsideASellerFolder_isRejected_keepingItsFolder() throws {
        let inbox = harness.spool + "/inbox"
        try Data(DaemonHarness.body(url: url).utf8).write(to: URL(fileURLWithPath: inbox + "/loose.json"))
        try FileManager.default.createDirectory(atPath: inbox + "/bad seller!", withIntermediateDirectories: true)
        try Data(DaemonHarness.body(url: url).utf8).write(to: URL(fileURLWithPath: inbox + "/bad seller!/k1.json"))
        let loose = try harness.waitForReceipt(seller: "", key: "loose")
        XCTAssertEqual(errorCodes(loose), ["seller.integration.body.required"])
        let bad = try harness.waitForReceipt(seller: "bad seller!", key: "k1")
        XCTAssertEqual(errorCodes(bad), ["seller.integration.body.required"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.spool + "/rejected/loose.json"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.spool + "/rejected/bad seller!/k1.json"))
    }

    func testDotNamesAndTmpFiles_areNotRead() throws {
        let folder = harness.spool + "/inbox/seller-1"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("half".utf8).write(to: URL(fileURLWithPath: folder + "/.k1.json"))
        try Data("half".utf8).write(to: URL(fileURLWithPath: folder + "/k2.json.tmp"))
        try harness.drop(seller: "seller-1", key: "k3", body: DaemonHarness.body(url: url))
        _ = try harness.waitForReceipt(seller: "seller-1", key: "k3")
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/.k1.json"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/k2.json.tmp"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: harness.receiptPath(seller: "seller-1", key: ".k1")))
    }

    func testIdempotency_sameBodySameVideo_differentBodyReused_otherSellerNewVideo() throws {
        let body = DaemonHarness.body(url: url)
        try harness.drop(seller: "s1", key: "key-1", body: body)
        let first = try harness.videoId(try harness.waitForReceipt(seller: "s1", key: "key-1"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: harness.spool + "/inbox/s1/key-1.json"), "an accepted drop is removed")
        try FileManager.default.removeItem(atPath: harness.receiptPath(seller: "s1", key: "key-1"))

        // The same body with other white space and key order: the same receipt, no second video.
        let reordered = try JSONParser.parse(Data(body.utf8)).canonical.compact
        try harness.drop(seller: "s1", key: "key-1", body: reordered)
        XCTAssertEqual(try harness.videoId(try harness.waitForReceipt(seller: "s1", key: "key-1")), first)

        try FileManager.default.removeItem(atPath: harness.receiptPath(seller: "s1", key: "key-1"))
        try harness.drop(seller: "s1", key: "key-1", body: DaemonHarness.body(url: url, title: "Another title"))
        let reused = try harness.waitForReceipt(seller: "s1", key: "key-1")
        XCTAssertEqual(errorCodes(reused), ["idempotency_key_reused"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.spool + "/rejected/s1/key-1.json"))

        try harness.drop(seller: "s2", key: "key-1", body: body)
        let other = try harness.videoId(try harness.waitForReceipt(seller: "s2", key: "key-1"))
        XCTAssertNotEqual(other, first)

        let s1 = try JSONParser.parse(Data(try harness.cli(["list", "--seller", "s1"]).stdout.utf8))
        XCTAssertEqual(s1["meta"]?["total"], .integer(1))
    }

    func testEnqueue_answersLikeADrop_andValidationFailureExits2() throws {
        let file = harness.root + "/req.json"
        try Data(DaemonHarness.body(url: url).utf8).write(to: URL(fileURLWithPath: file))
        let ok = try harness.cli(["enqueue", "--seller", "s9", "--key", "k1", file])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let id = try XCTUnwrap(try JSONParser.parse(Data(ok.stdout.utf8))["videoId"]?.stringValue)
        let again = try harness.cli(["enqueue", "--seller", "s9", "--key", "k1", file])
        XCTAssertEqual(try JSONParser.parse(Data(again.stdout.utf8))["videoId"]?.stringValue, id)
        // A drop with the same key and body gets the same answer.
        try harness.drop(seller: "s9", key: "k1", body: DaemonHarness.body(url: url))
        XCTAssertEqual(try harness.videoId(try harness.waitForReceipt(seller: "s9", key: "k1")), id)

        try Data(#"{"title":"x"}"#.utf8).write(to: URL(fileURLWithPath: file))
        let bad = try harness.cli(["enqueue", "--seller", "s9", "--key", "k2", file])
        XCTAssertEqual(bad.status, 2)
        let codes = errorCodes(try JSONParser.parse(Data(bad.stdout.utf8)))
        XCTAssertEqual(codes.first, "seller.integration.title.length")
        XCTAssertEqual(codes.count, 4)
    }
}

/// `intake.createsPerMinutePerSeller` defers drops past the limit; none is rejected or lost.
final class IntakeRateLimitTests: XCTestCase {
    func testDropsBeyondTheLimit_stayInTheInbox_untilALaterMinute() throws {
        let harness = try DaemonHarness(["intake.createsPerMinutePerSeller": .integer(3), "download.allowedNetworks": .array([])])
        try harness.startDaemon()
        for i in 0..<5 {
            try harness.drop(seller: "fast", key: "k\(i)", body: DaemonHarness.body(url: "http://127.0.0.1:9/v\(i).mp4"))
            Thread.sleep(forTimeInterval: 0.02)
        }
        try harness.waitUntil("three receipts", timeout: 20) {
            (0..<5).filter { FileManager.default.fileExists(atPath: harness.receiptPath(seller: "fast", key: "k\($0)")) }.count == 3
        }
        Thread.sleep(forTimeInterval: 1)
        let answered = (0..<5).filter { FileManager.default.fileExists(atPath: harness.receiptPath(seller: "fast", key: "k\($0)")) }
        XCTAssertEqual(answered, [0, 1, 2], "the oldest drops go first")
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.spool + "/inbox/fast/k3.json"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.spool + "/inbox/fast/k4.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: harness.spool + "/rejected/fast/k3.json"))
        // Another seller is not held back.
        try harness.drop(seller: "other", key: "k0", body: DaemonHarness.body(url: "http://127.0.0.1:9/v.mp4"))
        XCTAssertNotNil(try harness.waitForReceipt(seller: "other", key: "k0")["videoId"])
        XCTAssertEqual(try harness.stopDaemon(), 0)
    }
}
