import Foundation
import IngestCore
import TestHTTPServer
import XCTest

/// What the webhook end-to-end suites share: a sample server, a daemon harness whose config
/// names receivers, and the receivers, all stopped after each test.
class WebhookTestCase: XCTestCase {
    var server: TestHTTPServer!
    var harness: DaemonHarness!
    private var receivers: [WebhookReceiver] = []

    override func setUpWithError() throws {
        server = try TestHTTPServer()
        server.fileRoot = DaemonHarness.samples
    }

    override func tearDownWithError() throws {
        if let harness, harness.daemon != nil { XCTAssertEqual(try harness.stopDaemon(), 0, "the daemon stops cleanly") }
        harness = nil
        receivers.forEach { $0.stop() }
        server.stop()
    }

    /// A new receiver, stopped after the test.
    func receiver(stall: Bool = false) throws -> WebhookReceiver {
        let r = try WebhookReceiver(stall: stall)
        receivers.append(r)
        return r
    }

    /// One `notify.endpoints` entry.
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

    /// Starts a daemon whose config sends to `endpoints`.
    func start(_ endpoints: [JSONValue], allowed: [String] = ["127.0.0.1/32"], extra: [String: JSONValue] = [:],
               environment: [String: String] = [:]) throws {
        harness = try DaemonHarness(Self.notifyConfig(endpoints, allowed: allowed, extra: extra))
        try harness.startDaemon(environment: environment)
    }

    /// Drops a request for a sample and waits for its final status; returns the video id.
    func process(_ path: String = "/files/h264_aac_10s.mp4", seller: String = "s", key: String,
                 ids: [String] = ["123456"], expect: String = "SUCCESS") throws -> String {
        try harness.drop(seller: seller, key: key, body: DaemonHarness.body(url: server.url(path), ids: ids))
        let id = try harness.videoId(try harness.waitForReceipt(seller: seller, key: key))
        XCTAssertEqual(try harness.waitForFinalStatus(id)["status"], .string(expect))
        return id
    }

    /// `video-ingest webhooks [--failed]`'s rows.
    func webhooks(failed: Bool = false) throws -> [JSONValue] {
        let result = try harness.cli(["webhooks"] + (failed ? ["--failed"] : []))
        XCTAssertEqual(result.status, 0, result.stderr)
        guard case .array(let rows)? = try JSONParser.parse(Data(result.stdout.utf8))["data"] else { return [] }
        return rows
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
}
