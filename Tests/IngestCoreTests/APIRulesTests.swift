@testable import IngestCore
import IngestStore
import IngestCrypto
import XCTest

/// The API's pure rules: routing, byte ranges, key checks, the http config keys.
final class APIRulesTests: XCTestCase {
    func testRouter_matchesTheContractsRoutes_andNothingElse() {
        let id = "627b8a1b-7bad-4eaf-9abb-99a9958540c2"
        XCTAssertEqual(Route.match("/v1/videos"), .videos)
        XCTAssertEqual(Route.match("/v1/videos/"), .videos)
        XCTAssertEqual(Route.match("/v1/videos/\(id.uppercased())"), .video(id: id))
        XCTAssertEqual(Route.match("/v1/videos/\(id)/video_hd.mp4"), .media(id: id, file: .rendition))
        XCTAssertEqual(Route.match("/v1/videos/\(id)/poster.jpg"), .media(id: id, file: .poster))
        XCTAssertEqual(Route.match("/v1/videos/\(id)/approve"), .approve(id: id))
        XCTAssertEqual(Route.match("/v1/videos/\(id)/reject"), .reject(id: id))
        XCTAssertEqual(Route.match("/healthz"), .healthz)
        XCTAssertEqual(Route.match("/v1/videos/%36%32%37b8a1b-7bad-4eaf-9abb-99a9958540c2"), .video(id: id), "escapes decode per segment")
        for path in ["", "v1/videos", "/v1/videos/\(id)/../\(id)", "/v1/videos/%2e%2e", "/v1/videos/.", "/v1/videos/\(id)%2Fapprove",
                     "/v1/videos/\(id)%00", "/v1/videos/\(id)/other", "/v1/videos/not-a-uuid", "/v1/videos/627b8a1b7bad4eaf9abb99a9958540c2xxxx",
                     "/v1/videos/g27b8a1b-7bad-4eaf-9abb-99a9958540c2", "/v2/videos", "/v1/videos/\(id)/approve/x", "/" + String(repeating: "a", count: 3000)] {
            XCTAssertNil(Route.match(path), path)
        }
        XCTAssertEqual(Route.media(id: id, file: .poster).label, "/v1/videos/{id}/poster.jpg")
    }

    func testByteRange_singleRangesOnly() {
        XCTAssertEqual(ByteRange.parse("bytes=0-99", size: 1000), .range(0, 99))
        XCTAssertEqual(ByteRange.parse("bytes=900-", size: 1000), .range(900, 999))
        XCTAssertEqual(ByteRange.parse("bytes=900-5000", size: 1000), .range(900, 999))
        XCTAssertEqual(ByteRange.parse("bytes=-100", size: 1000), .range(900, 999))
        XCTAssertEqual(ByteRange.parse("bytes=-5000", size: 1000), .range(0, 999))
        XCTAssertEqual(ByteRange.parse("bytes=1000-", size: 1000), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=-0", size: 1000), .unsatisfiable)
        XCTAssertEqual(ByteRange.parse("bytes=0-1,5-6", size: 1000), .whole, "several ranges: the whole file")
        XCTAssertEqual(ByteRange.parse("bytes=5-1", size: 1000), .whole)
        XCTAssertEqual(ByteRange.parse("items=0-1", size: 1000), .whole)
        XCTAssertEqual(ByteRange.parse("bytes=abc-", size: 1000), .whole)
        XCTAssertEqual(ByteRange.parse("bytes=99999999999999999999-", size: 1000), .whole)
    }

    func testPrincipal_matchesOnlyAConfiguredKey() {
        let keys = [IngestConfig.APIKey(sellerId: "s1", sha256: SHA256.digest(Array("one".utf8))),
                    IngestConfig.APIKey(sellerId: nil, sha256: SHA256.digest(Array("admin".utf8)))]
        XCTAssertEqual(Principal.authenticate("Bearer one", keys: keys), .seller("s1"))
        XCTAssertEqual(Principal.authenticate("bearer   admin", keys: keys), .admin)
        XCTAssertNil(Principal.authenticate("Bearer two", keys: keys))
        XCTAssertNil(Principal.authenticate("Bearer ", keys: keys))
        XCTAssertNil(Principal.authenticate("Basic b25l", keys: keys))
        XCTAssertNil(Principal.authenticate(nil, keys: keys))
        XCTAssertNil(Principal.authenticate("Bearer one", keys: []))
    }

    func testHTTPConfig_defaultsAndProblems() throws {
        let defaults = IngestConfig().http
        XCTAssertNil(defaults.listen)
        XCTAssertEqual(defaults.maxUploadBytes, 52_428_800)
        XCTAssertEqual(defaults.readsPerMinutePerSeller, 1000)
        XCTAssertEqual(defaults.requestTimeoutSeconds, 30)
        XCTAssertEqual(defaults.maxConnections, 512)
        let digest = String(repeating: "ab", count: 32)
        let good = try ConfigLoader.parse(Data("""
            {"http": {"listen": "[::1]:8080", "apiKeys": [{"sellerId": "s1", "sha256": "\(digest)"}, {"role": "admin", "sha256": "\(digest.uppercased())"}]}}
            """.utf8))
        XCTAssertEqual(good.http.listen, "[::1]:8080")
        XCTAssertEqual(good.http.apiKeys.map(\.sellerId), ["s1", nil])
        XCTAssertThrowsError(try ConfigLoader.parse(Data("""
            {"http": {"listen": "localhost:80", "maxConnections": 0, "apiKeys": [{"sellerId": "s1", "sha256": "zz"}, {"role": "root", "sha256": "\(digest)"}, {"sellerId": "s", "sha256": "\(digest)", "key": "x"}]}}
            """.utf8))) { error in
            let text = "\(error)"
            for part in ["http.listen", "http.maxConnections", "http.apiKeys[0].sha256", "http.apiKeys[1]", "http.apiKeys[2] has an unknown key"] {
                XCTAssertTrue(text.contains(part), "\(part) not in \(text)")
            }
        }
    }
}

/// Deleting a video whose upload its job has not taken yet removes the upload too.
final class UploadCleanupTests: XCTestCase {
    func testDelete_removesAWaitingUpload() throws {
        let root = NSTemporaryDirectory() + "upload-cleanup-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let layout = SpoolLayout(root: root)
        try layout.create()
        let store = try IngestConfig().openStore(layout: layout)
        let token = "0123456789abcdef0123456789abcdef"
        let url = Uploads.videoUrl(token: token, fileName: "clip.mp4")
        XCTAssertEqual(url, "upload://\(token)/clip.mp4")
        XCTAssertEqual(Uploads.token(ofVideoUrl: url), token)
        XCTAssertNil(Uploads.token(ofVideoUrl: "https://example.com/upload://x"))
        XCTAssertEqual(Uploads.videoUrl(token: token, fileName: "../../etc/passwd"), "upload://\(token)/video", "no dot-led name")
        let video = NewVideo(sellerId: "s1", title: "Uploaded", description: nil, videoUrl: url, productContentIds: ["p"],
                             videoContentType: "PRODUCT_PROMOTION", storeFrontCode: "TR")
        guard case .created(let id) = try store.createVideo(video, idempotencyKey: "k", bodyDigest: "d") else { return XCTFail() }
        let upload = Uploads.path(layout, token: token)
        XCTAssertTrue(FileManager.default.createFile(atPath: upload, contents: Data("bytes".utf8)))
        _ = try SpoolCommands.moderate(videoId: id, .delete, store: store, layout: layout, origin: VideoOrigin.embeddedSpool)
        XCTAssertFalse(FileManager.default.fileExists(atPath: upload))
    }
}
