import Foundation
import IngestObjectStore
import XCTest

/// Addressing, validation and credentials, without a server.
final class S3SettingsTests: XCTestCase {
    func testObjectURLs_pathStyleAndVirtualHost_withCanonicalEncoding() {
        let path = S3Settings(endpoint: "https://s3.example.com/", bucket: "videos", prefix: "p/")
        XCTAssertEqual(path.objectURL(key: path.key(videoId: "abc", name: "video_hd.mp4")), "https://s3.example.com/videos/p/abc/video_hd.mp4")
        XCTAssertEqual(path.objectURL(key: "a b+é~", query: [("uploadId", "x/y="), ("partNumber", "2")]),
                       "https://s3.example.com/videos/a%20b%2B%C3%A9~?partNumber=2&uploadId=x%2Fy%3D")
        XCTAssertEqual(path.objectURL(key: "k", query: [("uploads", "")]), "https://s3.example.com/videos/k?uploads=")
        let host = S3Settings(endpoint: "http://localhost:9000", bucket: "videos", pathStyle: false)
        XCTAssertEqual(host.objectURL(key: "k/poster.jpg"), "http://videos.localhost:9000/k/poster.jpg")
    }

    func testValidation_namesEachBrokenField() {
        XCTAssertEqual(S3Settings(endpoint: "https://s3.example.com", bucket: "my.videos-1").problems, [])
        let broken = S3Settings(endpoint: "https://user:pw@s3.example.com/path", bucket: "-Bad..", region: "EU West", prefix: "/x")
        let text = broken.problems.joined(separator: "\n")
        for field in ["endpoint", "bucket", "region", "prefix"] { XCTAssertTrue(text.contains(field), text) }
        XCTAssertFalse(S3Settings(endpoint: "s3.example.com", bucket: "videos").problems.isEmpty, "no scheme")
        XCTAssertFalse(S3Settings(endpoint: "http://h", bucket: "ab").problems.isEmpty, "too short")
        XCTAssertFalse(S3Settings(endpoint: "http://h", bucket: "10.0.0.1").problems.isEmpty, "IP-shaped")
    }

    func testCredentials_fileWinsOverEnvironment_andTheSecretIsNeverDescribed() throws {
        let file = NSTemporaryDirectory() + "creds-" + UUID().uuidString.prefix(6)
        try Data("# comment\n[other]\naws_access_key_id = NOPE\n[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = file-secret-1\naws_session_token = tok-1\n".utf8)
            .write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let environment = ["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "env-secret-1"]
        let fromFile = try S3Credentials.resolve(file: file, environment: environment)
        XCTAssertEqual(fromFile.accessKeyId, "FILEKEY")
        let fromEnv = try S3Credentials.resolve(file: nil, environment: environment)
        XCTAssertEqual(fromEnv.accessKeyId, "ENVKEY")
        for text in ["\(fromFile)", String(reflecting: fromFile), "\(fromEnv)", String(describing: Mirror(reflecting: fromFile).children.map { $0.value })] {
            XCTAssertFalse(text.contains("secret-1") || text.contains("tok-1"), text)
        }
        XCTAssertThrowsError(try S3Credentials.resolve(file: nil, environment: [:])) { error in
            XCTAssertEqual((error as! S3Error).code, .invalidConfig)
            XCTAssertTrue("\(error)".contains("AWS_ACCESS_KEY_ID"))
        }
        XCTAssertThrowsError(try S3Credentials.resolve(file: file + ".missing", environment: environment))
    }
}
