import Foundation
import IngestCore
import TestHTTPServer
import TestS3Server
import XCTest

/// `publish.s3` through the real daemon, a real HTTP server and a real S3 server (SeaweedFS on
/// 127.0.0.1); what landed in the bucket is read back with boto3 (CONTRACT section 11).
final class ObjectStoreEndToEndTests: XCTestCase {
    private static let shared = Result { try SeaweedFS() }
    private var s3: SeaweedFS!
    private var http: TestHTTPServer!
    private var harness: DaemonHarness!
    private var bucket = ""
    private var base = "https://cdn.example.com/videos"

    override func setUpWithError() throws {
        http = try TestHTTPServer()
        http.fileRoot = DaemonHarness.samples
    }

    override func tearDownWithError() throws {
        if let harness, harness.daemon != nil { _ = try harness.stopDaemon() }
        harness = nil
        http.stop()
    }

    /// A daemon publishing to a fresh bucket of `server` with the test identity (or `secret`).
    /// With `baseInBucket` the public base URL is the bucket itself (`<endpoint>/<bucket>/renditions`),
    /// so a test can fetch what a `Location` names.
    private func start(server: SeaweedFS? = nil, secret: String = SeaweedFS.secretKey, environment: [String: String] = [:],
                       config: [String: JSONValue] = [:], baseInBucket: Bool = false) throws {
        s3 = try server ?? Self.shared.get()
        bucket = "e2e-" + UUID().uuidString.prefix(8).lowercased()
        try s3.createBucket(bucket)
        if baseInBucket { base = "\(s3.endpoint)/\(bucket)/renditions" }
        harness = try DaemonHarness([
            "publish.publicBaseUrl": .string(base),
            "publish.s3.endpoint": .string(s3.endpoint), "publish.s3.bucket": .string(bucket),
            "publish.s3.region": .string("us-east-1"), "publish.s3.prefix": .string("renditions/"),
            "publish.s3.pathStyle": .bool(true),
            // An outage is retried for as long as it lasts here: the jobs must not park `stuck`
            // (pipeline.maxAttempts) while SeaweedFS restarts.
            "pipeline.maxAttempts": .integer(1000), "pipeline.maxFaultBackoffSeconds": .number(2),
        ].merging(config) { $1 })
        try harness.startDaemon(environment: credentials(secret: secret).merging(environment) { $1 })
    }

    private func credentials(secret: String) -> [String: String] {
        ["AWS_ACCESS_KEY_ID": SeaweedFS.accessKey, "AWS_SECRET_ACCESS_KEY": secret]
    }

    private func drop(_ sample: String, key: String = UUID().uuidString, seller: String = "seller-1") throws -> String {
        try harness.drop(seller: seller, key: key, body: DaemonHarness.body(url: http.url("/files/" + sample)))
        return try harness.videoId(try harness.waitForReceipt(seller: seller, key: key))
    }

    private func keys(_ id: String) -> [String] { ["renditions/\(id)/poster.jpg", "renditions/\(id)/video_hd.mp4"] }

    /// What the optimizer makes of `sample` (a SampleMedia name or an absolute path) with the
    /// harness's config (it is deterministic).
    private func optimizedLocally(_ sample: String) throws -> String {
        let out = harness.root + "/local-" + UUID().uuidString.prefix(6)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let input = sample.hasPrefix("/") ? sample : DaemonHarness.samples + "/" + sample
        let result = try harness.run(["optimize", input, out, "--config", harness.configPath])
        XCTAssertEqual(result.status, 0, result.stderr)
        return out
    }

    private func assertSecretNeverLogged(_ secrets: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let log = try String(contentsOfFile: harness.daemonLog, encoding: .utf8)
        XCTAssertFalse(log.isEmpty, file: file, line: line)
        for secret in secrets { XCTAssertFalse(log.contains(secret), "the secret is in the daemon log", file: file, line: line) }
    }

    func testSamples_landInTheBucket_byteIdentical_withTheirTypes_andDeleteAndRejectRemoveThem() throws {
        try start()
        let samples = ["h264_aac_10s.mp4", "portrait_rotated_10s.mp4"]
        let ids = try samples.map { try drop($0) }
        for (id, sample) in zip(ids, samples) {
            let doc = try harness.waitForFinalStatus(id)
            XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.pretty)
            XCTAssertEqual(doc["optimizedVideoUrl"], .string("\(base)/\(id)/video_hd.mp4"))
            XCTAssertEqual(doc["posterUrl"], .string("\(base)/\(id)/poster.jpg"))
            let local = try optimizedLocally(sample)
            for (name, type) in [("video_hd.mp4", "video/mp4"), ("poster.jpg", "image/jpeg")] {
                let copy = harness.root + "/downloaded-" + name
                XCTAssertEqual(try s3.download(bucket, "renditions/\(id)/\(name)", to: copy), type)
                XCTAssertTrue(FileManager.default.contentsEqual(atPath: copy, andPath: local + "/" + name),
                              "\(sample) \(name) in the bucket is what the optimizer writes")
            }
            XCTAssertEqual(harness.files(under: "media/\(id)"), [], "media/ keeps nothing once the upload is confirmed")
            try harness.waitUntil("scratch removed", timeout: 10) { !FileManager.default.fileExists(atPath: harness.spool + "/scratch/\(id)") }
        }
        XCTAssertEqual(try s3.listKeys(bucket), (keys(ids[0]) + keys(ids[1])).sorted())

        XCTAssertEqual(try harness.cli(["delete", ids[0]]).status, 0)
        XCTAssertEqual(try harness.cli(["reject", ids[1], "--reason", "blurry"]).status, 0)
        try harness.waitUntil("the daemon removes both videos' objects", timeout: 30) { try s3.listKeys(bucket).isEmpty }
        try assertSecretNeverLogged([SeaweedFS.secretKey])
    }

    func testMediaRoutes_withS3_answer302ToTheObjectsURL_whoseBytesAreTheRendition_404UntilSuccessAndForOthers() throws {
        try start(config: DaemonHarness.apiConfig(), baseInBucket: true)
        let port = try harness.httpPort()
        func get(_ method: String, _ id: String, _ name: String, key: String = DaemonHarness.sellerKeys["s1"]!) throws -> HTTPAnswer {
            try HTTPClient.request(port: port, method, "/v1/videos/\(id)/\(name)", headers: [("Authorization", "Bearer " + key)])
        }
        let id = try drop("h264_aac_10s.mp4", seller: "s1")
        XCTAssertEqual(try get("GET", id, "video_hd.mp4").status, 404, "no rendition before SUCCESS")
        XCTAssertEqual(try get("GET", id, "video_hd.mp4").errorCode, "not_found")
        XCTAssertEqual(try harness.waitForFinalStatus(id)["status"], .string("SUCCESS"))
        let local = try optimizedLocally("h264_aac_10s.mp4")
        for name in ["video_hd.mp4", "poster.jpg"] {
            let location = "\(base)/\(id)/\(name)"
            for method in ["GET", "HEAD"] {
                let answer = try get(method, id, name)
                XCTAssertEqual(answer.status, 302, "\(method) \(name): \(answer.text)")
                XCTAssertEqual(answer.headers["location"], location, "\(method) \(name)")
            }
            XCTAssertEqual(try get("GET", id, name, key: DaemonHarness.adminKey).headers["location"], location, "an admin is sent there too")
            let other = try get("GET", id, name, key: DaemonHarness.sellerKeys["s2"]!)
            XCTAssertEqual(other.status, 404, "another seller's video does not exist for s2")
            XCTAssertNil(other.headers["location"])
            let fetched = harness.root + "/fetched-" + name
            XCTAssertEqual(try s3.signedGet(location, to: fetched), 200)
            XCTAssertTrue(FileManager.default.contentsEqual(atPath: fetched, andPath: local + "/" + name),
                          "\(name) at the Location is what the optimizer writes")
        }
        XCTAssertEqual(harness.files(under: "media/\(id)"), [], "media/ keeps nothing once the upload is confirmed")
        XCTAssertEqual(try harness.cli(["delete", id]).status, 0)
        XCTAssertEqual(try get("GET", id, "video_hd.mp4").status, 404, "a deleted video has no media")
    }

    /// A 60 MB rendition goes up by multipart. The source is made at test time with ffmpeg (75 s of
    /// 640x360 noise at 7 Mbit/s, H.264, ~66 MB, ~6 s to make): it already meets the rendition's
    /// points and the 8 Mbit/s cap, so the optimizer's fast path copies it and the pipeline itself
    /// produces the 60 MB file cheaply; nothing large is committed.
    func testA60MBRendition_goesUpByMultipart_andTheObjectsSizeAndSHA256MatchTheRendition() throws {
        try start()
        let source = harness.root + "/big-source.mp4"
        let made = try DaemonHarness.runProcess("/usr/bin/ffmpeg", [
            "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
            "-i", "testsrc2=size=640x360:rate=30:duration=75,noise=alls=40:allf=t+u",
            "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "7M", "-maxrate", "7.2M", "-bufsize", "2M", "-g", "60",
            "-pix_fmt", "yuv420p", "-movflags", "+faststart", source], timeout: 120)
        XCTAssertEqual(made.status, 0, made.stderr)
        http.fileRoot = harness.root
        let id = try drop("big-source.mp4")
        let doc = try harness.waitForFinalStatus(id, timeout: 120)
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.pretty)
        let local = try optimizedLocally(source)
        let rendition = local + "/video_hd.mp4"
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: rendition)[.size] as? Int)
        XCTAssertGreaterThan(size, 60_000_000, "the rendition is the fast path's copy of the ~66 MB source")
        let digest = try DaemonHarness.runProcess("/usr/bin/sha256sum", [rendition]).stdout.split(separator: " ").first.map(String.init)
        // boto3 (the independent client): the object's size, its multipart ETag ("<md5>-<parts>") and
        // the SHA-256 of its bytes as downloaded.
        let out = try s3.boto3("""
            import hashlib
            head = s3.head_object(Bucket=sys.argv[1], Key=sys.argv[2])
            body = s3.get_object(Bucket=sys.argv[1], Key=sys.argv[2])["Body"]
            h = hashlib.sha256()
            for chunk in body.iter_chunks(1 << 20):
                h.update(chunk)
            print(json.dumps({"size": head["ContentLength"], "etag": head["ETag"].strip('"'), "sha256": h.hexdigest(),
                              "type": head["ContentType"]}))
            """, [bucket, "renditions/\(id)/video_hd.mp4"])
        let object = try JSONParser.parse(Data(out.utf8))
        XCTAssertEqual(object["size"], .integer(Int64(size)))
        XCTAssertEqual(object["sha256"]?.stringValue, digest)
        XCTAssertEqual(object["type"], .string("video/mp4"))
        let parts = (size + (8 << 20) - 1) / (8 << 20)
        XCTAssertTrue(object["etag"]?.stringValue?.hasSuffix("-\(parts)") ?? false,
                      "a multipart upload of \(parts) parts of 8 MiB: \(object["etag"]?.stringValue ?? "")")
        XCTAssertEqual(harness.files(under: "media/\(id)"), [])
    }

    func testS3ServerDownDuringPublish_jobRetries_andSucceedsWhenItIsBack_neverFailed() throws {
        let server = try SeaweedFS()
        try start(server: server)
        server.stop()
        let id = try drop("h264_aac_10s.mp4")
        try harness.waitUntil("a worker fault naming the bucket", timeout: 90) {
            harness.logLines().contains { $0.contains("worker fault") && $0.contains("publish to bucket \(bucket)") }
        }
        XCTAssertEqual(harness.statusFile(id)?["status"], .string("IN_PROGRESS"))
        try server.start()
        let doc = try harness.waitForFinalStatus(id, timeout: 120)
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.pretty)
        XCTAssertEqual(try server.listKeys(bucket), keys(id))
    }

    func testKill9BetweenUploadAndCommit_losesNothing_theRestartFindsTheObjects() throws {
        try start(environment: ["VIDEO_INGEST_CRASH_AT": "after-upload-before-commit"])
        let id = try drop("no_audio_10s.mp4")
        XCTAssertEqual(try harness.waitForDaemonExit(timeout: 90), SIGKILL)
        XCTAssertEqual(try s3.listKeys(bucket), keys(id), "both objects went up before the crash")
        XCTAssertEqual(harness.statusFile(id)?["status"], .string("IN_PROGRESS"))
        try harness.startDaemon(environment: credentials(secret: SeaweedFS.secretKey))
        let doc = try harness.waitForFinalStatus(id)
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.pretty)
        XCTAssertEqual(doc["optimizedVideoUrl"], .string("\(base)/\(id)/video_hd.mp4"))
        XCTAssertTrue(harness.logLines().contains { $0.contains("object already in the bucket") && $0.contains(id) })
        let local = try optimizedLocally("no_audio_10s.mp4")
        let copy = harness.root + "/after-crash.mp4"
        _ = try s3.download(bucket, "renditions/\(id)/video_hd.mp4", to: copy)
        XCTAssertTrue(FileManager.default.contentsEqual(atPath: copy, andPath: local + "/video_hd.mp4"))
    }

    func testWrongCredentials_jobsStayInProgress_withAWorkerFaultNamingBucketAndCode_nothingFailed_noSecretLogged() throws {
        let wrong = "wrong-secret-" + UUID().uuidString
        try start(secret: wrong, config: DaemonHarness.apiConfig())
        let port = try harness.httpPort()
        XCTAssertEqual(try HTTPClient.request(port: port, "GET", "/readyz").status, 200, "ready until a bucket refuses")
        let ids = try ["h264_aac_10s.mp4", "no_audio_10s.mp4"].map { try drop($0) }
        try harness.waitUntil("worker faults for both videos", timeout: 90) {
            let faults = harness.logLines().filter {
                $0.contains("worker fault") && $0.contains("publish to bucket \(bucket)") && $0.contains("SignatureDoesNotMatch")
            }
            return ids.allSatisfy { id in faults.contains { $0.contains(id) } }
        }
        Thread.sleep(forTimeInterval: 2)
        for id in ids {
            XCTAssertEqual(harness.statusFile(id)?["status"], .string("IN_PROGRESS"))
            XCTAssertEqual(try harness.statusCommand(id)["errorCode"], .null)
        }
        XCTAssertEqual(try s3.listKeys(bucket), [])
        let ready = try HTTPClient.request(port: port, "GET", "/readyz")
        XCTAssertEqual(ready.status, 503, "a bucket that refuses the credentials makes the daemon not ready")
        let said = String(decoding: ready.body, as: UTF8.self)
        XCTAssertTrue(said.contains("object store") && !said.contains(bucket) && !said.contains(wrong), said)
        try assertSecretNeverLogged([wrong, SeaweedFS.secretKey])
    }
}
