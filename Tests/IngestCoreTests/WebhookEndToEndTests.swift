import Foundation
import IngestCore
import TestHTTPServer
import XCTest

/// Signed webhooks through the real daemon (CONTRACT section 9): every delivery reaches a real
/// receiver on 127.0.0.1 that verifies it with the `standardwebhooks` package.
final class WebhookEndToEndTests: XCTestCase {
    private var server: TestHTTPServer!
    private var harness: DaemonHarness!
    private var receivers: [WebhookReceiver] = []

    override func setUpWithError() throws {
        server = try TestHTTPServer()
        server.fileRoot = DaemonHarness.samples
    }

    override func tearDownWithError() throws {
        if let harness, harness.daemon != nil { XCTAssertEqual(try harness.stopDaemon(), 0) }
        harness = nil
        receivers.forEach { $0.stop() }
        server.stop()
    }

    private func receiver(stall: Bool = false) throws -> WebhookReceiver {
        let r = try WebhookReceiver(stall: stall)
        receivers.append(r)
        return r
    }

    static func endpoint(_ url: String, events: [String] = [], sellerId: String? = nil,
                         secret: String = WebhookReceiver.secret) -> JSONValue {
        .object([("url", .string(url)), ("secret", .string(secret)), ("events", .array(events.map(JSONValue.string))),
                 ("sellerId", .string(sellerId))])
    }

    /// The config for `endpoints`: quick retries, 127.0.0.1 allowed for receivers unless `allowed` says otherwise.
    static func notifyConfig(_ endpoints: [JSONValue], allowed: [String] = ["127.0.0.1/32"],
                             extra: [String: JSONValue] = [:]) -> [String: JSONValue] {
        ["notify.endpoints": .array(endpoints), "notify.allowedNetworks": .array(allowed.map(JSONValue.string)),
         "notify.firstRetrySeconds": .number(0.2), "notify.timeoutSeconds": .integer(2)].merging(extra) { $1 }
    }

    private func submit(_ path: String, seller: String = "s", key: String, ids: [String]) throws -> String {
        try harness.drop(seller: seller, key: key, body: DaemonHarness.body(url: server.url(path), ids: ids))
        return try harness.videoId(try harness.waitForReceipt(seller: seller, key: key))
    }

    /// The types each video's events arrived in (first arrival of each id), by video id.
    static func typesByVideo(_ deliveries: [WebhookReceiver.Delivery]) -> [String: [String]] {
        var seen = Set<String>()
        var result: [String: [String]] = [:]
        for d in deliveries where seen.insert(d.id).inserted {
            result[d.videoId ?? "?", default: []].append(d.type ?? "?")
        }
        return result
    }

    func testSampleRun_sendsEachVideosEventsInOrder_eachVerifiedByStandardWebhooks() throws {
        let all = try receiver(), filtered = try receiver()
        harness = try DaemonHarness(Self.notifyConfig([
            Self.endpoint(all.url()),
            Self.endpoint(filtered.url(), events: ["video.succeeded"], sellerId: "other"),
        ]))
        try harness.startDaemon()
        let v1 = try submit("/files/h264_aac_10s.mp4", key: "v1", ids: ["A", "B"])
        XCTAssertEqual(try harness.waitForFinalStatus(v1)["status"], .string("SUCCESS"))
        let bad = try submit("/files/text.mp4", key: "bad", ids: ["X"])
        XCTAssertEqual(try harness.waitForFinalStatus(bad)["status"], .string("FAILED"))
        let v2 = try submit("/files/h264_aac_10s.mp4", key: "v2", ids: ["B"])
        XCTAssertEqual(try harness.waitForFinalStatus(v2)["status"], .string("SUCCESS"))
        let other = try submit("/files/h264_aac_10s.mp4", seller: "other", key: "o1", ids: ["B"])
        XCTAssertEqual(try harness.waitForFinalStatus(other)["status"], .string("SUCCESS"))
        XCTAssertEqual(try harness.cli(["approve", v2]).status, 0)
        XCTAssertEqual(try harness.cli(["reject", v1, "--reason", "blurry"]).status, 0)
        XCTAssertEqual(try harness.cli(["delete", bad]).status, 0)

        let expected: [String: [String]] = [
            v1: ["video.succeeded", "video.superseded", "video.rejected"],
            bad: ["video.failed", "video.deleted"],
            v2: ["video.succeeded", "video.approved"],
            other: ["video.succeeded"],
        ]
        try harness.waitUntil("every event delivered", timeout: 20) { Set(all.accepted().map(\.id)).count >= 8 }
        try harness.waitUntil("the filtered endpoint's event", timeout: 10) { !filtered.accepted().isEmpty }
        Thread.sleep(forTimeInterval: 0.5)  // nothing more may come
        let deliveries = all.deliveries()
        XCTAssertTrue(deliveries.allSatisfy(\.verified), "standardwebhooks rejected: \(deliveries.compactMap(\.error))")
        XCTAssertEqual(Self.typesByVideo(deliveries), expected)
        XCTAssertEqual(Set(deliveries.map(\.id)).count, 8, "one id per event")

        let superseded = try XCTUnwrap(deliveries.first { $0.type == "video.superseded" })
        XCTAssertEqual(superseded.data?["removedProductContentIds"], .array([.string("B")]))
        XCTAssertEqual(superseded.data?["productContentIds"], .array([.string("A")]))
        XCTAssertEqual(superseded.data?["id"], .string(v1))
        let succeeded = try XCTUnwrap(deliveries.first { $0.type == "video.succeeded" && $0.videoId == v2 })
        XCTAssertEqual(succeeded.data?["status"], .string("SUCCESS"))
        XCTAssertEqual(succeeded.data?["sellerId"], .string("s"))
        XCTAssertNotNil(succeeded.data?["optimizedVideoUrl"]?.stringValue)
        let failed = try XCTUnwrap(deliveries.first { $0.type == "video.failed" })
        XCTAssertEqual(failed.data?["errorCode"], .string("seller.integration.video.format.invalid"))
        XCTAssertEqual(deliveries.first { $0.type == "video.rejected" }?.data?["approvalStatus"], .string("REJECTED"))
        XCTAssertEqual(deliveries.first { $0.type == "video.deleted" }?.data?["deleted"], .bool(true))

        let onlyOther = filtered.deliveries()
        XCTAssertEqual(onlyOther.map(\.type), ["video.succeeded"], "events and sellerId filter the endpoint")
        XCTAssertEqual(onlyOther.first?.videoId, other)
        XCTAssertTrue(onlyOther.allSatisfy(\.verified))
        XCTAssertFalse(harness.logLines().joined().contains(WebhookReceiver.secret.dropFirst(6)), "the secret never reaches the log")
    }
}
