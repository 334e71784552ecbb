import Foundation
import IngestObjectStore
import TestS3Server
import XCTest

/// The S3 client against a real S3 server (SeaweedFS on 127.0.0.1), checked with boto3.
final class S3ClientTests: XCTestCase {
    /// One server for the suite (it takes seconds to start); each test uses its own bucket.
    private static let shared = Result { try SeaweedFS() }
    private var server: SeaweedFS!
    private var bucket = ""
    private var scratch = ""

    override func setUpWithError() throws {
        server = try Self.shared.get()
        bucket = "t-" + UUID().uuidString.prefix(8).lowercased()
        try server.createBucket(bucket)
        scratch = NSTemporaryDirectory() + "s3-client-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    private func client(secret: String = SeaweedFS.secretKey, pathStyle: Bool = true, endpoint: String? = nil,
                        options: S3Client.Options = S3Client.Options()) throws -> S3Client {
        let settings = S3Settings(endpoint: endpoint ?? server.endpoint, bucket: bucket, pathStyle: pathStyle)
        return try S3Client(settings: settings, credentials: S3Credentials(accessKeyId: SeaweedFS.accessKey, secretAccessKey: secret),
                            options: options)
    }

    /// A file of `size` random bytes.
    private func randomFile(_ name: String, size: Int) throws -> String {
        let path = scratch + "/" + name
        var bytes = [UInt8](repeating: 0, count: size)
        var generator = SystemRandomNumberGenerator()
        for i in stride(from: 0, to: size, by: 8) {
            withUnsafeBytes(of: generator.next()) { word in
                for j in 0..<min(8, size - i) { bytes[i + j] = word[j] }
            }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func assertSameBytes(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let left = try XCTUnwrap(FileManager.default.contents(atPath: a))
        let right = try XCTUnwrap(FileManager.default.contents(atPath: b))
        XCTAssertEqual(left.count, right.count, "sizes", file: file, line: line)
        XCTAssertTrue(left == right, "the bytes differ", file: file, line: line)
    }

    func testPut_smallObject_isReadByBoto3_byteIdentical_withContentTypeAndMetadata() throws {
        let path = try randomFile("small.mp4", size: 1_234_567)
        let s3 = try client()
        try s3.upload(file: path, key: "p/v1/video_hd.mp4", contentType: "video/mp4", metadata: ["sha256": "abc123"])
        let info = try XCTUnwrap(try s3.head(key: "p/v1/video_hd.mp4"))
        XCTAssertEqual(info.size, 1_234_567)
        XCTAssertEqual(info.contentType, "video/mp4")
        XCTAssertEqual(info.metadata["sha256"], "abc123")
        XCTAssertEqual(try server.listKeys(bucket), ["p/v1/video_hd.mp4"])
        let copy = scratch + "/copy.mp4"
        XCTAssertEqual(try server.download(bucket, "p/v1/video_hd.mp4", to: copy), "video/mp4")
        try assertSameBytes(path, copy)
    }

    func testPut_keyWithSpacesAndUnicode_isSignedAndStoredUnderThatKey() throws {
        let path = try randomFile("odd.jpg", size: 1000)
        let s3 = try client()
        let key = "odd prefix+é/ü video (1).jpg"
        try s3.upload(file: path, key: key, contentType: "image/jpeg")
        XCTAssertEqual(try server.listKeys(bucket), [key])
        XCTAssertEqual(try s3.head(key: key)?.size, 1000)
    }

    func testMultipart_60MBObject_goesUpInParts_andIsByteIdentical() throws {
        let path = try randomFile("big.mp4", size: 60_000_000)
        let s3 = try client()
        try s3.upload(file: path, key: "big/video_hd.mp4", contentType: "video/mp4", metadata: ["sha256": "feed"])
        let info = try XCTUnwrap(try s3.head(key: "big/video_hd.mp4"))
        XCTAssertEqual(info.size, 60_000_000)
        XCTAssertEqual(info.contentType, "video/mp4")
        XCTAssertEqual(info.metadata["sha256"], "feed", "metadata given at CreateMultipartUpload is kept")
        XCTAssertTrue(info.etag?.hasSuffix("-8\"") == true, "a multipart ETag of 8 parts of 8 MiB: \(info.etag ?? "nil")")
        let copy = scratch + "/big-copy.mp4"
        XCTAssertEqual(try server.download(bucket, "big/video_hd.mp4", to: copy), "video/mp4")
        try assertSameBytes(path, copy)
        let pending = try server.boto3("print(len(s3.list_multipart_uploads(Bucket=sys.argv[1]).get('Uploads', [])))", [bucket])
        XCTAssertEqual(pending.trimmingCharacters(in: .whitespacesAndNewlines), "0", "no upload left open")
    }

    func testVirtualHostAddressing_putsAndReadsTheSameObject() throws {
        let path = try randomFile("vh.jpg", size: 4096)
        let s3 = try client(pathStyle: false, endpoint: server.localhostEndpoint)
        XCTAssertTrue(s3.settings.objectURL(key: "k/poster.jpg").hasPrefix("http://\(bucket).localhost:"))
        try s3.upload(file: path, key: "k/poster.jpg", contentType: "image/jpeg")
        XCTAssertEqual(try s3.head(key: "k/poster.jpg")?.size, 4096)
        XCTAssertEqual(try server.listKeys(bucket), ["k/poster.jpg"], "the virtual-host request reached the bucket")
    }

    func testHeadOfAMissingKey_isNil_andDeleteRemovesTheObject() throws {
        let s3 = try client()
        XCTAssertNil(try s3.head(key: "nothing/here.mp4"))
        let path = try randomFile("d.mp4", size: 2000)
        try s3.upload(file: path, key: "d/video_hd.mp4", contentType: "video/mp4")
        XCTAssertNotNil(try s3.head(key: "d/video_hd.mp4"))
        try s3.delete(key: "d/video_hd.mp4")
        XCTAssertNil(try s3.head(key: "d/video_hd.mp4"))
        XCTAssertEqual(try server.listKeys(bucket), [])
        XCTAssertNoThrow(try s3.delete(key: "d/video_hd.mp4"), "deleting a missing key is done, not an error")
    }

    func testWrongSecret_failsAtOnce_withTheS3ErrorCode_andNoSecretInTheText() throws {
        let path = try randomFile("w.mp4", size: 3000)
        let wrong = "wrong-" + UUID().uuidString
        let s3 = try client(secret: wrong)
        let start = Date()
        XCTAssertThrowsError(try s3.upload(file: path, key: "w/video_hd.mp4", contentType: "video/mp4")) { error in
            let e = error as! S3Error
            XCTAssertEqual(e.code, .accessDenied)
            XCTAssertEqual(e.httpStatus, 403)
            XCTAssertEqual(e.s3Code, "SignatureDoesNotMatch")
            XCTAssertTrue("\(e)".contains(bucket), "\(e)")
            XCTAssertFalse("\(e)".contains(wrong))
            XCTAssertFalse("\(e)".contains("attempts"), "403 is not retried: \(e)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        XCTAssertThrowsError(try s3.checkBucket()) { XCTAssertEqual(($0 as! S3Error).httpStatus, 403) }
        XCTAssertNoThrow(try client().checkBucket())
        XCTAssertEqual(try server.listKeys(bucket), [])
    }

    func testMissingBucket_checkBucketSays404() throws {
        let settings = S3Settings(endpoint: server.endpoint, bucket: "no-such-bucket-\(UUID().uuidString.prefix(6).lowercased())")
        let s3 = try S3Client(settings: settings, credentials: S3Credentials(accessKeyId: SeaweedFS.accessKey, secretAccessKey: SeaweedFS.secretKey))
        XCTAssertThrowsError(try s3.checkBucket()) { error in
            XCTAssertEqual((error as! S3Error).code, .notFound, "\(error)")
            XCTAssertEqual((error as! S3Error).httpStatus, 404)
        }
    }
}
