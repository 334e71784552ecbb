import Foundation
import IngestCore
import TestS3Server
import XCTest

/// `publish.s3` in the config loader and `config check [--connect]` (CONTRACT section 11).
final class ConfigCheckObjectStoreTests: XCTestCase {
    private static let shared = Result { try SeaweedFS() }

    func testParse_readsPublishS3_withDefaults_andNullMeansLocalMedia() throws {
        let config = try ConfigLoader.parse(Data(#"{"publish": {"s3": {"endpoint": "http://127.0.0.1:9000/", "bucket": "videos"}}}"#.utf8))
        let s3 = try XCTUnwrap(config.publish.s3)
        XCTAssertEqual(s3.endpoint, "http://127.0.0.1:9000")
        XCTAssertEqual(s3.bucket, "videos")
        XCTAssertEqual(s3.region, "us-east-1")
        XCTAssertEqual(s3.prefix, "")
        XCTAssertTrue(s3.pathStyle)
        XCTAssertNil(s3.credentialsFile)
        XCTAssertNil(try ConfigLoader.parse(Data(#"{"publish": {"s3": null}}"#.utf8)).publish.s3)
        XCTAssertNil(try ConfigLoader.parse(Data("{}".utf8)).publish.s3)
    }

    func testConfigCheck_reportsEveryBrokenPublishS3Field() throws {
        let harness = try DaemonHarness(["publish.s3.endpoint": .string("ftp://example.com"), "publish.s3.bucket": .string("Bad_Bucket"),
                                         "publish.s3.region": .string("US East"), "publish.s3.prefix": .string("/abs"),
                                         "publish.s3.pathStyle": .string("yes")])
        let result = try harness.run(["config", "check", harness.configPath])
        XCTAssertNotEqual(result.status, 0)
        for field in ["publish.s3.endpoint", "publish.s3.bucket", "publish.s3.region", "publish.s3.prefix", "publish.s3.pathStyle"] {
            XCTAssertTrue(result.stderr.contains(field), "\(field) not named: \(result.stderr)")
        }
        let ip = try DaemonHarness(["publish.s3.endpoint": .string("http://127.0.0.1:9000"), "publish.s3.bucket": .string("192.168.1.1")])
        XCTAssertTrue(try ip.run(["config", "check", ip.configPath]).stderr.contains("IP address"))
    }

    /// A harness whose config points at `bucket` on the shared server, credentials from a file.
    private func harness(bucket: String, secret: String) throws -> DaemonHarness {
        let server = try Self.shared.get()
        let probe = try DaemonHarness()
        let credentials = probe.root + "/credentials"
        try Data("[default]\naws_access_key_id = \(SeaweedFS.accessKey)\naws_secret_access_key = \(secret)\n".utf8)
            .write(to: URL(fileURLWithPath: credentials))
        try probe.writeConfig(["publish.s3.endpoint": .string(server.endpoint), "publish.s3.bucket": .string(bucket),
                               "publish.s3.credentialsFile": .string(credentials)])
        return probe
    }

    func testConnect_goodCredentialsAndBucket_exit0_withoutTheSecret() throws {
        let bucket = "cc-" + UUID().uuidString.prefix(8).lowercased()
        try Self.shared.get().createBucket(bucket)
        let h = try harness(bucket: bucket, secret: SeaweedFS.secretKey)
        let plain = try h.run(["config", "check", h.configPath])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertTrue(plain.stdout.contains(bucket))
        let result = try h.run(["config", "check", h.configPath, "--connect"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let doc = try JSONParser.parse(Data(result.stdout.utf8))
        XCTAssertEqual(doc["connect"]?["ok"], .bool(true))
        XCTAssertFalse((result.stdout + result.stderr + plain.stdout).contains(SeaweedFS.secretKey))
    }

    func testConnect_wrongSecret_says403_andMissingBucket_says404() throws {
        let bucket = "cc-" + UUID().uuidString.prefix(8).lowercased()
        try Self.shared.get().createBucket(bucket)
        let wrong = "wrong-" + UUID().uuidString
        let bad = try harness(bucket: bucket, secret: wrong)
        let denied = try bad.run(["config", "check", bad.configPath, "--connect"])
        XCTAssertEqual(denied.status, 1)
        XCTAssertTrue(denied.stderr.contains("HTTP 403") && denied.stderr.contains(bucket), denied.stderr)
        XCTAssertFalse((denied.stdout + denied.stderr).contains(wrong))
        let missing = try harness(bucket: "cc-missing-" + UUID().uuidString.prefix(6).lowercased(), secret: SeaweedFS.secretKey)
        let notFound = try missing.run(["config", "check", missing.configPath, "--connect"])
        XCTAssertEqual(notFound.status, 1)
        XCTAssertTrue(notFound.stderr.contains("HTTP 404") && notFound.stderr.contains("no such bucket"), notFound.stderr)
        let local = try DaemonHarness()
        XCTAssertEqual(try local.run(["config", "check", local.configPath, "--connect"]).status, 1, "--connect needs publish.s3")
    }
}
