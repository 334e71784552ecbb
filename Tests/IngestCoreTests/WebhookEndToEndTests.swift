import Foundation
import IngestCore
import XCTest

/// Signed webhooks through the real daemon (CONTRACT section 9): every delivery reaches a real
/// receiver on 127.0.0.1 that verifies it with the `standardwebhooks` package.
final class WebhookEndToEndTests: WebhookTestCase {
    func testSampleRun_sendsEachVideosEventsInOrder_eachVerifiedByStandardWebhooks() throws {
        let all = try receiver(), filtered = try receiver()
        try start([Self.endpoint(all.url()), Self.endpoint(filtered.url(), events: ["video.succeeded"], sellerId: "other")])
        let v1 = try process(key: "v1", ids: ["A", "B"])
        let bad = try process("/files/text.mp4", key: "bad", ids: ["X"], expect: "FAILED")
        let v2 = try process(key: "v2", ids: ["B"])
        let other = try process(seller: "other", key: "o1", ids: ["B"])
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
