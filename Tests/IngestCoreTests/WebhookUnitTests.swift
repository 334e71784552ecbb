import Foundation
import XCTest
@testable import IngestCore
import IngestStore

/// The pieces of the notifier that need no daemon: the signature, the secret, the `notify`
/// config and the retry schedule.
final class WebhookUnitTests: XCTestCase {
    func testSignature_matchesTheStandardWebhooksSpecificationsExample() throws {
        // The example of the Standard Webhooks specification and its reference libraries.
        let secret = try XCTUnwrap(WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        XCTAssertEqual(WebhookSignature.sign(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                             body: #"{"test": 2432232314}"#, secret: secret),
                       "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    func testSecret_needsThePrefixAndBase64_andNeverPrintsItself() {
        XCTAssertNil(WebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "no whsec_ prefix")
        XCTAssertNil(WebhookSecret("whsec_"), "empty key")
        XCTAssertNil(WebhookSecret("whsec_not base64!"))
        let secret = WebhookSecret("whsec_c2VjcmV0")
        XCTAssertEqual(secret?.key, Array("secret".utf8))
        XCTAssertEqual(WebhookSecret("whsec_c2VjcmV0")?.key, WebhookSecret("whsec_c2VjcmV0=")?.key, "padding is optional")
        XCTAssertFalse("\(String(describing: secret)) \(String(reflecting: secret))".contains("c2VjcmV0"))
    }

    private static let endpoint = #"{"url": "https://hooks.example.com/in", "secret": "whsec_c2VjcmV0", "events": ["video.failed"], "sellerId": "s-1"}"#

    func testNotifyConfig_readsEndpointsAndDefaults() throws {
        let defaults = IngestConfig().notify
        XCTAssertEqual(defaults.timeoutSeconds, 10)
        XCTAssertEqual(defaults.retryForSeconds, 86_400)
        XCTAssertTrue(defaults.endpoints.isEmpty)
        let config = try ConfigLoader.parse(Data(#"{"notify": {"endpoints": [\#(Self.endpoint)], "timeoutSeconds": 3, "allowedNetworks": ["10.0.0.0/8"]}}"#.utf8))
        let endpoint = try XCTUnwrap(config.notify.endpoints.first)
        XCTAssertEqual(endpoint.url, "https://hooks.example.com/in")
        XCTAssertEqual(endpoint.events, [.failed])
        XCTAssertEqual(endpoint.sellerId, "s-1")
        XCTAssertEqual(endpoint.secret.key, Array("secret".utf8))
        XCTAssertEqual(config.notify.timeoutSeconds, 3)
        XCTAssertEqual(config.outboxRouting.endpoints, [OutboxEndpoint(url: "https://hooks.example.com/in", events: [.failed], sellerId: "s-1")])
    }

    func testNotifyConfig_reportsEveryBadEndpointMember_withoutQuotingASecret() {
        let text = #"""
        {"notify": {"endpoints": [
            {"url": "ftp://x", "secret": "whsec_c2VjcmV0", "secrt": 1},
            {"url": "https://a.example/", "secret": "hunter2-plain"},
            {"url": "https://a.example/", "secret": "whsec_c2VjcmV0", "events": ["video.exploded"], "sellerId": "../x"},
            {"secret": "whsec_c2VjcmV0"},
            7
        ], "retryForSeconds": -1}}
        """#
        XCTAssertThrowsError(try ConfigLoader.parse(Data(text.utf8))) { error in
            let problems = (error as? ConfigError)?.problems ?? []
            let all = problems.joined(separator: "\n")
            for expected in ["notify.endpoints[0].url has an invalid value", "notify.endpoints[0].secrt is not a known key",
                             "notify.endpoints[1].secret must be whsec_", "notify.endpoints[2].url is the url of an earlier endpoint",
                             "notify.endpoints[2].events names an unknown event", "notify.endpoints[2].sellerId must be",
                             "notify.endpoints[3].url is required", "notify.endpoints[4] must be an object", "notify.retryForSeconds"] {
                XCTAssertTrue(all.contains(expected), "missing '\(expected)' in:\n\(all)")
            }
            XCTAssertFalse(all.contains("hunter2") || all.contains("c2VjcmV0"), all)
        }
    }

    func testConfigCheck_neverPrintsASecret() throws {
        let file = NSTemporaryDirectory() + "notify-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data(#"{"notify": {"endpoints": [\#(Self.endpoint)]}}"#.utf8).write(to: URL(fileURLWithPath: file))
        let ok = MediaCommands.checkConfig(file: file)
        XCTAssertEqual(ok.exitCode, 0, ok.stderr)
        try Data(#"{"notify": {"endpoints": [{"url": "https://x.example/", "secret": "whsec_c2VjcmV0", "extra": 1}]}}"#.utf8)
            .write(to: URL(fileURLWithPath: file))
        let bad = MediaCommands.checkConfig(file: file)
        XCTAssertEqual(bad.exitCode, 2)
        XCTAssertTrue(bad.stdout.contains("notify.endpoints[0].extra is not a known key"), bad.stdout)
        XCTAssertFalse((ok.stdout + ok.stderr + bad.stdout + bad.stderr).contains("c2VjcmV0"))
    }

    func testRetrySchedule_firstRetryWithin10s_growing_jittered_andRetriesForAtLeastTheWindow() {
        let schedule = RetrySchedule(IngestConfig().notify)
        XCTAssertLessThanOrEqual(schedule.delay(afterAttempt: 1, unit: 1), 10)
        XCTAssertGreaterThan(schedule.delay(afterAttempt: 1, unit: -1), 0)
        XCTAssertNotEqual(schedule.delay(afterAttempt: 3, unit: -1), schedule.delay(afterAttempt: 3, unit: 1), "jitter")
        let bases = (1...10).map { schedule.delay(afterAttempt: $0, unit: 0) }
        XCTAssertEqual(bases.prefix(4), [5, 15, 45, 135])
        XCTAssertEqual(bases.last, 3600, "at most an hour between attempts")
        // Simulate a dead receiver with the worst-case (shortest) jitter: given up only after the window.
        let start = Date(timeIntervalSince1970: 0)
        var now = start, attempts = 0
        while true {
            attempts += 1
            guard case .retry(let at) = schedule.afterFailure(attempt: attempts, windowStart: start, now: now, unit: -1) else { break }
            XCTAssertGreaterThan(at, now)
            now = at
        }
        XCTAssertGreaterThanOrEqual(now.timeIntervalSince(start), 86_400, "tried for at least notify.retryForSeconds")
        XCTAssertLessThan(now.timeIntervalSince(start), 86_400 + 3600 * 1.2 + 1)
        XCTAssertGreaterThan(attempts, 20)
    }
}
