import Foundation
import IngestCore
import MediaKit
import TestHTTPServer
import XCTest

/// Drop → download → check → optimize → publish, through a real daemon and a real HTTP server
/// on 127.0.0.1 (CONTRACT section 4).
final class PipelineEndToEndTests: XCTestCase {
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

    private func start(_ overrides: [String: JSONValue] = [:]) throws {
        harness = try DaemonHarness(overrides)
        try harness.startDaemon()
    }

    /// Drops one request for `path` and waits for its final status document.
    private func process(_ path: String, seller: String = "seller-1", key: String = UUID().uuidString,
                         ids: [String] = ["123456"]) throws -> JSONValue {
        try harness.drop(seller: seller, key: key, body: DaemonHarness.body(url: server.url(path), ids: ids))
        let id = try harness.videoId(try harness.waitForReceipt(seller: seller, key: key))
        return try harness.waitForFinalStatus(id)
    }

    func testCompliantMp4_reachesSuccess_withAVerifiedRendition() throws {
        try start()
        let doc = try process("/files/h264_aac_10s.mp4")
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.pretty)
        XCTAssertEqual(doc["errorCode"], .null)
        XCTAssertEqual(doc["isApproved"], .bool(false))
        let id = try XCTUnwrap(doc["id"]?.stringValue)
        let media = harness.spool + "/media/\(id)/video_hd.mp4"
        XCTAssertEqual(doc["optimizedVideoUrl"]?.stringValue, URL(fileURLWithPath: media).absoluteString)
        let probe = try MediaProbe.probe(path: media, format: .mp4)
        XCTAssertEqual(probe.primaryVideo?.codec, "h264")
        XCTAssertTrue(probe.isFaststart)
        XCTAssertEqual(try XCTUnwrap(probe.durationSeconds), 10, accuracy: 0.5)
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.spool + "/media/\(id)/poster.jpg"))
        XCTAssertEqual(try harness.statusCommand(id), doc, "the status file equals `video-ingest status`")
        try harness.waitUntil("scratch removed", timeout: 5) {
            !FileManager.default.fileExists(atPath: harness.spool + "/scratch/\(id)")
        }
    }

    func testRotatedPortraitMov_isTranscodedTo720x1280() throws {
        try start(["limits.allowedFormats": .array([.string("mp4"), .string("mov")])])
        let doc = try process("/files/portrait_rotated_10s.mp4")
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.pretty)
        let id = try XCTUnwrap(doc["id"]?.stringValue)
        let probe = try MediaProbe.probe(path: harness.spool + "/media/\(id)/video_hd.mp4", format: .mp4)
        XCTAssertEqual(probe.displayWidth, 720)
        XCTAssertEqual(probe.displayHeight, 1280)
        XCTAssertFalse(probe.metadataKeys.contains { $0.lowercased().contains("location") })
    }

    func testEveryFailureCode_endsFailed_withTheContractsCode() throws {
        try start(["limits.maxFileSizeBytes": .integer(1_100_000), "download.stallTimeoutSeconds": .integer(1),
                   "download.retries": .integer(1)])
        let blocked = try TestHTTPServer(host: "127.0.0.2")
        defer { blocked.stop() }
        blocked.fileRoot = DaemonHarness.samples
        let cases: [(String, String)] = [
            (blocked.url("/files/h264_aac_10s.mp4"), "seller.integration.video.url.invalid"),
            (server.url("/redirect?to=" + "file:///etc/passwd".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!),
             "seller.integration.video.url.invalid"),
            (server.url("/status/404"), "seller.integration.video.download.failed"),
            (server.url("/status/503"), "seller.integration.video.download.failed"),
            (server.url("/stall/10"), "seller.integration.video.download.timeout"),
            (server.url("/huge-length"), "seller.integration.video.size.exceeded"),
            (server.url("/bytes/2000000?noLength=1"), "seller.integration.video.size.exceeded"),
            (server.url("/files/text.mp4"), "seller.integration.video.format.invalid"),
            (server.url("/files/sample_10s.avi"), "seller.integration.video.format.invalid"),
            (server.url("/files/truncated.mp4"), "seller.integration.video.format.invalid"),
            (server.url("/files/too_short_3s.mp4"), "seller.integration.video.duration.invalid"),
            (server.url("/files/too_long_130s.mp4"), "seller.integration.video.duration.invalid"),
            // The index promises 10 s, the data ends near 4 s: the streams decide (optimization.failed is covered by
            // UniformRenditionEndToEndTests' half_undecodable.mp4).
            (server.url("/files/truncated_faststart.mp4"), "seller.integration.video.duration.invalid"),
        ]
        var ids: [(String, String)] = []
        for (i, (url, code)) in cases.enumerated() {
            try harness.drop(seller: "s", key: "k\(i)", body: DaemonHarness.body(url: url))
            ids.append((try harness.videoId(try harness.waitForReceipt(seller: "s", key: "k\(i)")), code))
        }
        for (id, code) in ids {
            let doc = try harness.waitForFinalStatus(id)
            XCTAssertEqual(doc["status"], .string("FAILED"), "\(code): \(doc.compact)")
            XCTAssertEqual(doc["errorCode"], .string(code), doc["videoUrl"]?.stringValue ?? "")
            XCTAssertEqual(doc["optimizedVideoUrl"], .null)
            XCTAssertNotNil(doc["errorMessage"]?.stringValue)
        }
        XCTAssertEqual(blocked.connectionCount, 0, "no byte reached the blocked address")
        XCTAssertEqual(server.requestCount(path: "/status/404"), 1, "4xx is final")
        XCTAssertEqual(server.requestCount(path: "/status/503"), 2, "5xx is retried download.retries times")
    }

    func testSupersede_newestSuccessTakesTheIds_olderFinishingLaterDoesNot() throws {
        try start(["workers": .integer(2)])
        // v1 is created first but its server makes it finish last.
        try harness.drop(seller: "s", key: "v1", body: DaemonHarness.body(url: server.url("/delay/4000/h264_aac_10s.mp4"), ids: ["A", "B"]))
        let v1 = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "v1"))
        try harness.drop(seller: "s", key: "v2", body: DaemonHarness.body(url: server.url("/files/h264_aac_10s.mp4"), ids: ["B", "C"]))
        let v2 = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "v2"))
        try harness.drop(seller: "other", key: "v1", body: DaemonHarness.body(url: server.url("/files/h264_aac_10s.mp4"), ids: ["B"]))
        let other = try harness.videoId(try harness.waitForReceipt(seller: "other", key: "v1"))

        let doc2 = try harness.waitForFinalStatus(v2)
        XCTAssertEqual(doc2["status"], .string("SUCCESS"))
        let doc1 = try harness.waitForFinalStatus(v1)
        XCTAssertEqual(doc1["status"], .string("SUCCESS"))
        XCTAssertEqual(harness.statusFile(v1)?["productContentIds"], .array([.string("A")]), "v1 does not take B from the newer v2")
        XCTAssertEqual(harness.statusFile(v2)?["productContentIds"], .array([.string("B"), .string("C")]))
        XCTAssertEqual(try harness.waitForFinalStatus(other)["productContentIds"], .array([.string("B")]), "other sellers are untouched")

        // A third video of the seller takes A from v1 when it succeeds.
        try harness.drop(seller: "s", key: "v3", body: DaemonHarness.body(url: server.url("/files/h264_aac_10s.mp4"), ids: ["A"]))
        let v3 = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "v3"))
        XCTAssertEqual(try harness.waitForFinalStatus(v3)["status"], .string("SUCCESS"))
        try harness.waitUntil("v1 loses A", timeout: 5) { harness.statusFile(v1)?["productContentIds"] == .array([]) }
        XCTAssertEqual(try harness.statusCommand(v1)["productContentIds"], .array([]))
    }

    func testAutoApprove_approvesOnSuccess_andPublicBaseUrlNamesTheRendition() throws {
        try start(["publish.autoApprove": .bool(true), "publish.publicBaseUrl": .string("https://cdn.example.com/videos")])
        let doc = try process("/files/no_audio_10s.mp4")
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.pretty)
        XCTAssertEqual(doc["isApproved"], .bool(true))
        let id = try XCTUnwrap(doc["id"]?.stringValue)
        XCTAssertEqual(doc["optimizedVideoUrl"], .string("https://cdn.example.com/videos/\(id)/video_hd.mp4"))
        let probe = try MediaProbe.probe(path: harness.spool + "/media/\(id)/video_hd.mp4", format: .mp4)
        XCTAssertFalse(probe.hasAudio, "no audio in, no audio out")
    }
}
