import Foundation
import IngestCore
import TestHTTPServer
import XCTest

/// The HTTP API (CONTRACT section 8) of a real daemon over real HTTP on 127.0.0.1: create by URL
/// and by upload, list, show, media with Range/ETag/HEAD, delete, moderation, idempotency shared
/// with drops, seller isolation.
final class HTTPAPIEndToEndTests: XCTestCase {
    private var server: TestHTTPServer!
    private var harness: DaemonHarness!
    private var port = 0

    override func setUpWithError() throws {
        server = try TestHTTPServer()
        server.fileRoot = DaemonHarness.samples
    }

    override func tearDownWithError() throws {
        if let harness, harness.daemon != nil { XCTAssertEqual(try harness.stopDaemon(), 0) }
        harness = nil
        server.stop()
    }

    private func start(_ overrides: [String: JSONValue] = [:]) throws {
        harness = try DaemonHarness(DaemonHarness.apiConfig(overrides))
        try harness.startDaemon()
        port = try harness.httpPort()
    }

    private func auth(_ seller: String = "s1") -> (String, String) {
        ("Authorization", "Bearer " + (seller == "admin" ? DaemonHarness.adminKey : DaemonHarness.sellerKeys[seller]!))
    }

    private func get(_ path: String, as who: String = "s1", headers: [(String, String)] = []) throws -> HTTPAnswer {
        try HTTPClient.request(port: port, "GET", path, headers: [auth(who)] + headers)
    }

    private func createJSON(_ body: String, as who: String = "s1", key: String? = nil, storeFront: String? = "TR") throws -> HTTPAnswer {
        var headers = [auth(who), ("Content-Type", "application/json")]
        if let key { headers.append(("Idempotency-Key", key)) }
        if let storeFront { headers.append(("storeFrontCode", storeFront)) }
        return try HTTPClient.request(port: port, "POST", "/v1/videos", headers: headers, body: Data(body.utf8))
    }

    private static func body(url: String, title: String = "Product Promotion Video", ids: [String] = ["123456"]) -> String {
        JSONValue.object([("title", .string(title)), ("videoUrl", .string(url)),
                          ("productContentIds", .array(ids.map(JSONValue.string)))]).compact
    }

    private func waitForFinal(_ id: String) throws -> JSONValue {
        var document: JSONValue?
        try harness.waitUntil("video \(id) to finish", timeout: 90) {
            document = try get("/v1/videos/\(id)").json
            return ["SUCCESS", "FAILED"].contains(document?["status"]?.stringValue ?? "")
        }
        return document!
    }

    func testHealthReadinessAuthAndRequestIds() throws {
        try start()
        let health = try HTTPClient.request(port: port, "GET", "/healthz")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(try HTTPClient.request(port: port, "GET", "/readyz").status, 200)
        let anonymous = try HTTPClient.request(port: port, "GET", "/v1/videos", headers: [("X-Request-Id", "client-id-42")])
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual(anonymous.errorCode, "unauthorized")
        XCTAssertEqual(anonymous.headers["x-request-id"], "client-id-42", "a valid client id is echoed")
        let wrong = try HTTPClient.request(port: port, "GET", "/v1/videos", headers: [("Authorization", "Bearer nope"),
                                                                                     ("X-Request-Id", String(repeating: "x", count: 129))])
        XCTAssertEqual(wrong.status, 401)
        let newId = try XCTUnwrap(wrong.headers["x-request-id"])
        XCTAssertNotEqual(newId, String(repeating: "x", count: 129), "an invalid client id is replaced")
        XCTAssertEqual(newId.count, 32)
        XCTAssertEqual(try HTTPClient.request(port: port, "GET", "/v1/videos", headers: [("Authorization", "Basic abc")]).status, 401)
        try harness.waitUntil("the request ids in the log", timeout: 5) {
            harness.logLines().contains { $0.contains("\"requestId\":\"client-id-42\"") && $0.contains("\"status\":401") }
                && harness.logLines().contains { $0.contains("\"requestId\":\"\(newId)\"") }
        }
        let put = try HTTPClient.request(port: port, "PUT", "/v1/videos", headers: [auth()])
        XCTAssertEqual(put.status, 405)
        XCTAssertEqual(put.errorCode, "method_not_allowed")
        XCTAssertEqual(put.headers["allow"], "GET, HEAD, POST")
    }

    func testCreateByURL_endsSuccess_andTheRenditionDownloadsWithRangeETagAndHead() throws {
        try start()
        let created = try createJSON(Self.body(url: server.url("/files/h264_aac_10s.mp4")))
        XCTAssertEqual(created.status, 200, created.text)
        let id = try XCTUnwrap(created.json?["videoId"]?.stringValue)
        XCTAssertNil(created.headers["idempotent-replayed"])
        let early = try get("/v1/videos/\(id)/video_hd.mp4")
        if try get("/v1/videos/\(id)").json?["status"]?.stringValue == "IN_PROGRESS" || early.status == 404 {
            XCTAssertEqual(early.status, 404, "no media before SUCCESS")
            XCTAssertEqual(early.errorCode, "not_found")
        }
        let doc = try waitForFinal(id)
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.pretty)
        XCTAssertEqual(doc, harness.statusFile(id), "the API answers the status document")

        let file = try Data(contentsOf: URL(fileURLWithPath: harness.spool + "/media/\(id)/video_hd.mp4"))
        let whole = try get("/v1/videos/\(id)/video_hd.mp4")
        XCTAssertEqual(whole.status, 200)
        XCTAssertEqual(whole.headers["content-type"], "video/mp4")
        XCTAssertEqual(whole.body, file)
        let etag = try XCTUnwrap(whole.headers["etag"])
        let lastModified = try XCTUnwrap(whole.headers["last-modified"])

        let part = try get("/v1/videos/\(id)/video_hd.mp4", headers: [("Range", "bytes=100-199")])
        XCTAssertEqual(part.status, 206)
        XCTAssertEqual(part.headers["content-range"], "bytes 100-199/\(file.count)")
        XCTAssertEqual(part.body, file.subdata(in: 100..<200))
        let suffix = try get("/v1/videos/\(id)/video_hd.mp4", headers: [("Range", "bytes=-10")])
        XCTAssertEqual(suffix.status, 206)
        XCTAssertEqual(suffix.body, file.suffix(10))
        let outside = try get("/v1/videos/\(id)/video_hd.mp4", headers: [("Range", "bytes=\(file.count)-")])
        XCTAssertEqual(outside.status, 416)
        XCTAssertEqual(outside.errorCode, "range_not_satisfiable")
        XCTAssertEqual(outside.headers["content-range"], "bytes */\(file.count)")
        XCTAssertEqual(try get("/v1/videos/\(id)/video_hd.mp4", headers: [("If-None-Match", etag)]).status, 304)
        XCTAssertEqual(try get("/v1/videos/\(id)/video_hd.mp4", headers: [("If-Modified-Since", lastModified)]).status, 304)

        let head = try HTTPClient.request(port: port, "HEAD", "/v1/videos/\(id)/poster.jpg", headers: [auth()])
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.headers["content-type"], "image/jpeg")
        XCTAssertEqual(head.headers["content-length"], String(try FileManager.default.attributesOfItem(atPath: harness.spool + "/media/\(id)/poster.jpg")[.size] as! Int))
        XCTAssertTrue(head.body.isEmpty)
        XCTAssertEqual(try get("/v1/videos/\(id)/video_hd.mp4", as: "s2").status, 404, "another seller's media is not found")
        XCTAssertEqual(try get("/v1/videos/\(id)/video_hd.mp4", as: "admin").status, 200)
    }

    func testUpload_skipsTheDownload_endsSuccess_andKeepsNoUploadFile() throws {
        try start()
        let sample = try Data(contentsOf: URL(fileURLWithPath: DaemonHarness.samples + "/h264_aac_10s.mp4"))
        let form = HTTPClient.multipart(fields: [("title", "Uploaded video"), ("productContentIds", "7"), ("productContentIds", "8")],
                                        files: [("video", "clip.mp4", sample)])
        let created = try HTTPClient.request(port: port, "POST", "/v1/videos",
                                             headers: [auth(), ("Content-Type", form.contentType), ("storeFrontCode", "TR")], body: form.body)
        XCTAssertEqual(created.status, 200, created.text)
        let id = try XCTUnwrap(created.json?["videoId"]?.stringValue)
        let doc = try waitForFinal(id)
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.pretty)
        XCTAssertEqual(doc["productContentIds"], .array([.string("7"), .string("8")]))
        XCTAssertTrue(doc["videoUrl"]?.stringValue?.hasPrefix("upload://") == true)
        XCTAssertTrue(doc["videoUrl"]?.stringValue?.hasSuffix("/clip.mp4") == true)
        XCTAssertTrue(harness.logLines().contains { $0.contains("took the uploaded file") && $0.contains(id) }, "the download stage took the file")
        XCTAssertEqual(server.requests.count, 0, "nothing was downloaded")
        XCTAssertEqual(try get("/v1/videos/\(id)/video_hd.mp4").status, 200)
        XCTAssertEqual(harness.files(under: "uploads"), [])

        // The same key with the same file and fields: the same answer; another file: 409.
        var headers = [auth(), ("Content-Type", form.contentType), ("storeFrontCode", "TR"), ("Idempotency-Key", "up-1")]
        let first = try HTTPClient.request(port: port, "POST", "/v1/videos", headers: headers, body: form.body)
        let again = try HTTPClient.request(port: port, "POST", "/v1/videos", headers: headers, body: form.body)
        XCTAssertEqual(again.json, first.json)
        XCTAssertEqual(again.headers["idempotent-replayed"], "true")
        let other = HTTPClient.multipart(fields: [("title", "Uploaded video"), ("productContentIds", "[\"7\", \"8\"]")],
                                         files: [("video", "clip.mp4", sample.prefix(sample.count - 1))])
        headers[1] = ("Content-Type", other.contentType)
        XCTAssertEqual(try HTTPClient.request(port: port, "POST", "/v1/videos", headers: headers, body: other.body).status, 409)
        try harness.waitUntil("uploads consumed", timeout: 60) { harness.files(under: "uploads").isEmpty }
    }

    func testIdempotencyKey_isSharedWithDrops_replaysAndRefusesAnotherBody() throws {
        try start()
        let url = server.url("/files/h264_aac_10s.mp4")
        let created = try createJSON(Self.body(url: url), key: "k1")
        XCTAssertEqual(created.status, 200, created.text)
        let id = try XCTUnwrap(created.json?["videoId"]?.stringValue)
        // The drop carries storeFrontCode in its body; the POST had it in the header: one request.
        let dropBody = JSONValue.object([("storeFrontCode", .string("TR")), ("productContentIds", .array([.string("123456")])),
                                         ("videoUrl", .string(url)), ("title", .string("Product Promotion Video"))]).pretty
        try harness.drop(seller: "s1", key: "k1", body: dropBody)
        XCTAssertEqual(try harness.videoId(try harness.waitForReceipt(seller: "s1", key: "k1")), id)
        let replay = try createJSON(Self.body(url: url), key: "k1")
        XCTAssertEqual(replay.status, 200)
        XCTAssertEqual(replay.json, created.json)
        XCTAssertEqual(replay.headers["idempotent-replayed"], "true")
        let reused = try createJSON(Self.body(url: url, title: "Another title"), key: "k1")
        XCTAssertEqual(reused.status, 409)
        XCTAssertEqual(reused.errorCode, "idempotency_key_reused")
        // The same key for another seller is another request.
        XCTAssertNotEqual(try createJSON(Self.body(url: url), as: "s2", key: "k1").json?["videoId"]?.stringValue, id)
        // The body's storeFrontCode serves when the header is absent.
        let bodyCode = try createJSON(Self.body(url: url).replacingOccurrences(of: "}", with: ",\"storeFrontCode\":\"TR\"}"), key: "k1", storeFront: nil)
        XCTAssertEqual(bodyCode.json?["videoId"]?.stringValue, id)
        XCTAssertEqual(try get("/v1/videos").json?["meta"]?["total"], .integer(1))
        let invalidKey = try createJSON(Self.body(url: url), key: "bad key!")
        XCTAssertEqual(invalidKey.status, 400)
        let every = try createJSON("{\"title\": \"x\", \"productContentIds\": []}", storeFront: "XX")
        XCTAssertEqual(every.status, 400)
        guard case .array(let errors)? = every.json?["errors"] else { return XCTFail(every.text) }
        XCTAssertEqual(Set(errors.compactMap { $0["code"]?.stringValue }), [
            "seller.integration.title.length", "seller.integration.video.url.required",
            "seller.integration.product.content.ids.required", "seller.integration.invalid.store.front.code"])
    }

    func testSellersSeeOnlyTheirOwn_andOnlyAdminsModerate() throws {
        try start()
        let created = try createJSON(Self.body(url: server.url("/files/h264_aac_10s.mp4")))
        let id = try XCTUnwrap(created.json?["videoId"]?.stringValue)
        XCTAssertEqual(try get("/v1/videos/\(id)", as: "s2").status, 404)
        XCTAssertEqual(try get("/v1/videos/00000000-0000-4000-8000-000000000000").status, 404)
        XCTAssertEqual(try get("/v1/videos/not-a-uuid").status, 404)
        XCTAssertEqual(try get("/v1/videos", as: "s2").json?["meta"]?["total"], .integer(0))
        XCTAssertEqual(try HTTPClient.request(port: port, "DELETE", "/v1/videos/\(id)", headers: [auth("s2")]).status, 404)
        let sellerApprove = try HTTPClient.request(port: port, "POST", "/v1/videos/\(id)/approve", headers: [auth()])
        XCTAssertEqual(sellerApprove.status, 403)
        XCTAssertEqual(sellerApprove.errorCode, "forbidden")
        XCTAssertEqual(try get("/v1/videos", as: "admin").status, 403)
        XCTAssertEqual(try get("/v1/videos/\(id)", as: "admin").status, 200)
        XCTAssertEqual(try waitForFinal(id)["status"], .string("SUCCESS"))
        let approved = try HTTPClient.request(port: port, "POST", "/v1/videos/\(id)/approve", headers: [auth("admin")])
        XCTAssertEqual(approved.status, 200, approved.text)
        XCTAssertEqual(approved.json?["isApproved"], .bool(true))
        XCTAssertEqual(harness.statusFile(id)?["isApproved"], .bool(true), "the status file follows")
        let rejected = try HTTPClient.request(port: port, "POST", "/v1/videos/\(id)/reject", headers: [auth("admin"), ("Content-Type", "application/json")],
                                              body: Data("{\"reason\": \"blurry\"}".utf8))
        XCTAssertEqual(rejected.status, 200, rejected.text)
        XCTAssertEqual(rejected.json?["approvalStatus"], .string("REJECTED"))
        XCTAssertEqual(rejected.json?["productContentIds"], .array([]))
        let approveRejected = try HTTPClient.request(port: port, "POST", "/v1/videos/\(id)/approve", headers: [auth("admin")])
        XCTAssertEqual(approveRejected.status, 409)
        let deleted = try HTTPClient.request(port: port, "DELETE", "/v1/videos/\(id)", headers: [auth()])
        XCTAssertEqual(deleted.status, 204)
        XCTAssertTrue(deleted.body.isEmpty)
        XCTAssertEqual(try get("/v1/videos/\(id)").status, 404)
        XCTAssertEqual(try get("/v1/videos/\(id)/video_hd.mp4").status, 404)
        XCTAssertFalse(FileManager.default.fileExists(atPath: harness.spool + "/media/\(id)"), "delete removes the media")
        XCTAssertEqual(try get("/v1/videos").json?["meta"]?["total"], .integer(0))
        XCTAssertEqual(try harness.statusCommand(id)["deleted"], .bool(true), "the same store change as `delete ID`")
    }

    func testList_takesTheSeedsParameters_andRefusesBadOnes() throws {
        try start()
        var ids: [String] = []
        for i in 0..<3 {
            let created = try createJSON(Self.body(url: server.url(i == 0 ? "/status/404" : "/files/h264_aac_10s.mp4"), ids: ["p\(i)"]))
            ids.append(try XCTUnwrap(created.json?["videoId"]?.stringValue))
        }
        for id in ids { _ = try waitForFinal(id) }
        let page = try get("/v1/videos?page=0&size=2").json
        XCTAssertEqual(page?["meta"], .object([("page", .integer(0)), ("total", .integer(3)), ("totalPage", .integer(2)), ("size", .integer(2))]))
        guard case .array(let first)? = page?["data"] else { return XCTFail() }
        XCTAssertEqual(first.compactMap { $0["id"]?.stringValue }, [ids[2], ids[1]], "newest first")
        let failed = try get("/v1/videos?sellerIntegrationStatus=FAILED").json
        XCTAssertEqual(failed?["meta"]?["total"], .integer(1))
        XCTAssertEqual(try get("/v1/videos?id=\(ids[1].uppercased())").json?["meta"]?["total"], .integer(1))
        XCTAssertEqual(try get("/v1/videos?id=nope").json?["meta"]?["total"], .integer(0))
        let status = try get("/v1/videos?sellerIntegrationStatus=DONE")
        XCTAssertEqual(status.status, 400)
        XCTAssertEqual(status.errorCode, "seller.integration.invalid.status")
        for query in ["size=100000", "page=-1", "size=abc", "size=0", "page=99999999999", "size=%ZZ"] {
            let answer = try get("/v1/videos?\(query)")
            XCTAssertEqual(answer.status, 400, query)
            XCTAssertEqual(answer.errorCode, "invalid_parameter", query)
        }
    }
}
