import Foundation
import IngestObjectStore
import TestHTTPServer
import TestS3Server
import XCTest

/// Which answers the client retries, counted on a scripted HTTP server on 127.0.0.1, and an
/// outage of a real S3 server.
final class S3RetryTests: XCTestCase {
    private var http: TestHTTPServer!

    override func setUpWithError() throws {
        http = try TestHTTPServer()
        http.fileRoot = FileManager.default.currentDirectoryPath
    }

    override func tearDown() { http.stop() }

    private func client(bucket: String, endpoint: String? = nil, attempts: Int = 3) throws -> S3Client {
        var options = S3Client.Options()
        options.attempts = attempts
        options.backoffSeconds = 0.05
        options.timeouts.connectSeconds = 2
        return try S3Client(settings: S3Settings(endpoint: endpoint ?? http.baseURL, bucket: bucket),
                            credentials: S3Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not-used-by-this-server"),
                            options: options)
    }

    func test503_isRetried_untilTheAttemptsRunOut() throws {
        XCTAssertThrowsError(try client(bucket: "status").delete(key: "503")) { error in
            XCTAssertEqual((error as! S3Error).code, .unavailable)
            XCTAssertTrue("\(error)".contains("after 3 attempts"), "\(error)")
        }
        XCTAssertEqual(http.requestCount(path: "/status/503"), 3)
    }

    func test429_andSlowDown_areRetried() throws {
        XCTAssertThrowsError(try client(bucket: "status").delete(key: "429"))
        XCTAssertEqual(http.requestCount(path: "/status/429"), 3)
        XCTAssertThrowsError(try client(bucket: "s3-error").delete(key: "400/SlowDown")) { error in
            XCTAssertEqual((error as! S3Error).s3Code, "SlowDown")
        }
        XCTAssertEqual(http.requestCount(path: "/s3-error/400/SlowDown"), 3, "SlowDown is retried whatever its status")
    }

    func testFlakyServer_succeedsOnTheThirdAttempt() throws {
        _ = FileManager.default.createFile(atPath: NSTemporaryDirectory() + "s3-flaky.bin", contents: Data(count: 321))
        http.fileRoot = NSTemporaryDirectory()
        let info = try client(bucket: "flaky").head(key: "2/s3-flaky.bin")
        XCTAssertEqual(info?.size, 321)
        XCTAssertEqual(http.requestCount(path: "/flaky/2/s3-flaky.bin"), 3)
    }

    func test403_404_400_andRedirects_areNotRetried() throws {
        XCTAssertThrowsError(try client(bucket: "redirect").checkBucket()) { error in
            XCTAssertEqual((error as! S3Error).httpStatus, 302)
            XCTAssertTrue("\(error)".contains("redirects are not followed"), "\(error)")
        }
        XCTAssertEqual(http.requests, ["/redirect/"], "the redirect (to /) is not followed")
        XCTAssertThrowsError(try client(bucket: "s3-error").delete(key: "403/AccessDenied")) { error in
            XCTAssertEqual((error as! S3Error).code, .accessDenied)
            XCTAssertEqual((error as! S3Error).s3Code, "AccessDenied")
        }
        XCTAssertEqual(http.requestCount(path: "/s3-error/403/AccessDenied"), 1)
        XCTAssertThrowsError(try client(bucket: "s3-error").delete(key: "404/NoSuchBucket"))
        XCTAssertEqual(http.requestCount(path: "/s3-error/404/NoSuchBucket"), 1)
        XCTAssertThrowsError(try client(bucket: "s3-error").delete(key: "400/InvalidArgument"))
        XCTAssertEqual(http.requestCount(path: "/s3-error/400/InvalidArgument"), 1)
    }

    func testConnectionRefused_isRetried_thenUnreachable() throws {
        let closed = try TestHTTPServer()
        let endpoint = closed.baseURL
        closed.stop()
        let start = Date()
        XCTAssertThrowsError(try client(bucket: "videos", endpoint: endpoint).head(key: "k")) { error in
            XCTAssertEqual((error as! S3Error).code, .unreachable, "\(error)")
            XCTAssertTrue("\(error)".contains("after 3 attempts"), "\(error)")
        }
        XCTAssertGreaterThan(Date().timeIntervalSince(start), 0.08, "two backoffs were waited")
    }

    func testS3Outage_uploadFails_thenSucceedsOnceTheServerIsBack() throws {
        let server = try SeaweedFS()
        try server.createBucket("outage")
        let file = NSTemporaryDirectory() + "s3-outage-\(UUID().uuidString.prefix(6)).bin"
        _ = FileManager.default.createFile(atPath: file, contents: Data(repeating: 7, count: 100_000))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let s3 = try S3Client(settings: S3Settings(endpoint: server.endpoint, bucket: "outage"),
                              credentials: S3Credentials(accessKeyId: SeaweedFS.accessKey, secretAccessKey: SeaweedFS.secretKey))
        server.stop()
        XCTAssertThrowsError(try s3.upload(file: file, key: "o/video_hd.mp4", contentType: "video/mp4")) { error in
            XCTAssertEqual((error as! S3Error).code, .unreachable, "\(error)")
        }
        try server.start()
        try server.createBucket("outage")  // already there: waits for the filer to be ready again
        try s3.upload(file: file, key: "o/video_hd.mp4", contentType: "video/mp4")
        XCTAssertEqual(try s3.head(key: "o/video_hd.mp4")?.size, 100_000)
    }
}
