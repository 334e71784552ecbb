import Foundation
import IngestCore
import XCTest

/// Webhook delivery when receivers fail, stall, are refused or go away, and when the daemon is
/// killed between the commit and the delivery (CONTRACT section 9).
final class WebhookDeliveryEndToEndTests: WebhookTestCase {
    func testReceiverAnswering500ThenOk_getsEachEventAfterRecovery_inOrderPerVideo() throws {
        let r = try receiver()
        try r.answer(500)
        try start([Self.endpoint(r.url())])
        let v1 = try process(key: "v1", ids: ["A"])
        let v2 = try process(key: "v2", ids: ["A"])
        XCTAssertEqual(try harness.cli(["approve", v2]).status, 0)
        try harness.waitUntil("a few refused attempts", timeout: 20) { r.deliveries().count >= 5 }
        let failing = r.deliveries()
        let first = try XCTUnwrap(failing.first)
        let retry = try XCTUnwrap(failing.dropFirst().first { $0.id == first.id }, "the first event is tried again with the same id")
        XCTAssertLessThan(retry.at - first.at, 10, "the first retry comes within 10 s")
        XCTAssertTrue(try webhooks().contains { $0["state"] == .string("pending") && $0["lastStatus"] == .integer(500) })

        try r.answer(200)
        try harness.waitUntil("every event accepted", timeout: 40) { Set(r.accepted().map(\.id)).count >= 4 }
        XCTAssertEqual(Self.typesByVideo(r.accepted()),
                       [v1: ["video.succeeded", "video.superseded"], v2: ["video.succeeded", "video.approved"]])
        XCTAssertTrue(r.deliveries().allSatisfy(\.verified))
        // A video's later event is never sent before its earlier one was accepted.
        for video in [v1, v2] {
            let attempts = r.deliveries().filter { $0.videoId == video }
            let firstId = try XCTUnwrap(attempts.first?.id)
            let acceptedAt = try XCTUnwrap(attempts.first { $0.id == firstId && $0.answered == 200 }?.at)
            XCTAssertTrue(attempts.filter { $0.id != firstId }.allSatisfy { $0.at >= acceptedAt }, "order of \(video)")
        }
        try harness.waitUntil("all recorded delivered", timeout: 5) {
            try webhooks().allSatisfy { $0["state"] == .string("delivered") && $0["lastStatus"] == .integer(200) }
        }
        XCTAssertEqual(try webhooks().count, 4)
        XCTAssertEqual(try webhooks(failed: true).count, 0)
    }

    func testRetriesRunOut_givenUpAndListed_thenWebhooksRetrySendsItAgain() throws {
        let r = try receiver()
        try r.answer(503)
        try start([Self.endpoint(r.url())], extra: ["notify.retryForSeconds": .integer(1)])
        let v1 = try process(key: "v1")
        try harness.waitUntil("given up", timeout: 20) { try !webhooks(failed: true).isEmpty }
        let row = try XCTUnwrap(try webhooks(failed: true).first)
        XCTAssertEqual(row["videoId"], .string(v1))
        XCTAssertEqual(row["lastStatus"], .integer(503))
        XCTAssertEqual(row["lastError"]?.stringValue?.hasPrefix("HTTP 503"), true, row.compact)
        XCTAssertGreaterThanOrEqual(row["attempts"]?.intValue ?? 0, 2, "retried before giving up")
        let tries = r.deliveries().count
        Thread.sleep(forTimeInterval: 1)
        XCTAssertEqual(r.deliveries().count, tries, "a given-up event is not sent again by itself")

        try r.answer(204)
        let eventId = try XCTUnwrap(row["eventId"]?.stringValue)
        let retried = try harness.cli(["webhooks", "retry", eventId])
        XCTAssertEqual(retried.status, 0, retried.stderr)
        try harness.waitUntil("delivered after retry", timeout: 10) { r.accepted().contains { $0.id == eventId } }
        XCTAssertNotEqual(try harness.cli(["webhooks", "retry", eventId]).status, 0, "nothing given up any more")
        XCTAssertEqual(try harness.cli(["webhooks", "retry", "evt_unknown"]).status, 1)
        XCTAssertEqual(try harness.cli(["webhooks", "--help"]).status, 0)
    }

    func testKill9BetweenCommitAndDelivery_deliversAfterRestart() throws {
        let r = try receiver()
        try start([Self.endpoint(r.url())], environment: [CrashPoint.environmentVariable: "before-webhook-post"])
        try harness.drop(seller: "s", key: "v1", body: DaemonHarness.body(url: server.url("/files/h264_aac_10s.mp4")))
        let v1 = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "v1"))
        XCTAssertEqual(try harness.waitForDaemonExit(), SIGKILL)
        XCTAssertEqual(try harness.statusCommand(v1)["status"], .string("SUCCESS"), "the outcome was committed")
        XCTAssertEqual(r.connectionCount, 0, "nothing was sent before the crash")
        try harness.startDaemon()
        try harness.waitUntil("delivered after the restart", timeout: 20) { !r.accepted().isEmpty }
        let delivered = r.accepted()
        XCTAssertEqual(delivered.map(\.type), ["video.succeeded"])
        XCTAssertEqual(delivered.first?.videoId, v1)
        XCTAssertTrue(delivered.allSatisfy(\.verified))
    }

    func testStallingReceiver_timesOut_whileAnotherEndpointKeepsReceiving() throws {
        let stalled = try receiver(stall: true), healthy = try receiver()
        try start([Self.endpoint(stalled.url()), Self.endpoint(healthy.url())],
                  extra: ["notify.timeoutSeconds": .integer(5)])
        let v1 = try process(key: "v1", ids: ["A"])
        try harness.waitUntil("v1 at the healthy endpoint", timeout: 5) { healthy.accepted().contains { $0.videoId == v1 } }
        let v2 = try process(key: "v2", ids: ["B"])
        let seen = Date()
        try harness.waitUntil("v2 at the healthy endpoint", timeout: 5) { healthy.accepted().contains { $0.videoId == v2 } }
        XCTAssertLessThan(Date().timeIntervalSince(seen), 2.5, "the stalled endpoint (5 s timeout) delays nobody else")
        try harness.waitUntil("the stalled attempt times out", timeout: 20) {
            try webhooks().contains { $0["endpoint"] == .string(stalled.url()) && ($0["lastError"]?.stringValue ?? "").contains("notify.timeoutSeconds") }
        }
        XCTAssertGreaterThanOrEqual(stalled.connectionCount, 1)
        XCTAssertTrue(healthy.deliveries().allSatisfy(\.verified))
    }

    func testNonPublicReceiver_withoutNotifyAllowedNetworks_isRefused_givenUp_neverConnected() throws {
        let r = try receiver()
        try start([Self.endpoint(r.url())], allowed: [])
        let v1 = try process(key: "v1")
        try harness.waitUntil("given up", timeout: 10) { try !webhooks(failed: true).isEmpty }
        let row = try XCTUnwrap(try webhooks(failed: true).first)
        XCTAssertEqual(row["videoId"], .string(v1))
        XCTAssertEqual(row["attempts"], .integer(1), "a refused address is not retried")
        let reason = row["lastError"]?.stringValue ?? ""
        XCTAssertTrue(reason.contains("127.0.0.1") && reason.contains("notify.allowedNetworks"), reason)
        XCTAssertEqual(r.connectionCount, 0, "the receiver's socket saw no connection")
        XCTAssertTrue(harness.logLines().contains { $0.contains("webhook given up") })
    }

    func testEndpointRemovedFromConfig_givesUpItsPendingDeliveries() throws {
        let r = try receiver()
        try r.answer(500)
        let endpoints = [Self.endpoint(r.url())]
        try start(endpoints)
        _ = try process(key: "v1")
        try harness.waitUntil("a failed attempt", timeout: 10) { !r.deliveries().isEmpty }
        try harness.writeConfig(Self.notifyConfig([]))
        try harness.run(["config", "check", harness.configPath])
        kill(try XCTUnwrap(harness.daemon).processIdentifier, SIGHUP)
        try harness.waitUntil("given up as removed", timeout: 10) {
            try webhooks(failed: true).contains { ($0["lastError"]?.stringValue ?? "").contains("removed from notify.endpoints") }
        }
        let count = r.deliveries().count
        Thread.sleep(forTimeInterval: 1)
        XCTAssertEqual(r.deliveries().count, count, "a removed endpoint receives nothing more")
    }
}
