import Foundation
import IngestCore
import XCTest

/// The bad input of issue 13, each against a real daemon: its contract answer, the daemon keeps
/// serving, and nothing half-made stays in the store or the spool.
final class HTTPHostileInputTests: XCTestCase {
    private var harness: DaemonHarness!
    private var port = 0
    private let key = "Authorization: Bearer \(DaemonHarness.sellerKeys["s1"]!)\r\n"

    override func setUpWithError() throws {
        harness = try DaemonHarness(DaemonHarness.apiConfig(["http.requestTimeoutSeconds": .integer(2), "http.maxUploadBytes": .integer(1_000_000)]))
        try harness.startDaemon()
        port = try harness.httpPort()
    }

    override func tearDownWithError() throws {
        if harness.daemon != nil { XCTAssertEqual(try harness.stopDaemon(), 0) }
        harness = nil
    }

    private func raw(_ text: String, _ body: Data = Data(), timeout: Double = 10) throws -> HTTPAnswer? {
        var data = Data(text.utf8)
        data.append(body)
        return try HTTPClient.exchange(port: port, data, timeout: timeout)
    }

    private func post(_ contentType: String, _ body: Data) throws -> HTTPAnswer {
        try XCTUnwrap(try raw("POST /v1/videos HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\(key)storeFrontCode: TR\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n\r\n", body))
    }

    /// Nothing of a refused request may remain.
    private func assertNothingKept(file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try harness.listAll().count, 0, "no video", file: file, line: line)
        XCTAssertEqual(harness.files(under: "uploads"), [], "no upload file", file: file, line: line)
        XCTAssertEqual(harness.files(under: "scratch"), [], "no scratch", file: file, line: line)
        XCTAssertEqual(try HTTPClient.request(port: port, "GET", "/healthz").status, 200, "still serving", file: file, line: line)
    }

    func testBadJSONBodies_getTheirContractAnswers() throws {
        for (body, code) in [("{\"title\": ", "seller.integration.body.required"), ("[1, 2]", "seller.integration.body.required"),
                             ("42", "seller.integration.body.required"), ("", "seller.integration.body.required")] {
            let answer = try post("application/json", Data(body.utf8))
            XCTAssertEqual(answer.status, 400, body)
            XCTAssertEqual(answer.errorCode, code, body)
            XCTAssertNotNil(answer.headers["x-request-id"])
        }
        // 10 MB of JSON: refused from its Content-Length, unread.
        let huge = try post("application/json", Data(repeating: 0x20, count: 10 << 20))
        XCTAssertEqual(huge.status, 413)
        XCTAssertEqual(huge.errorCode, "payload_too_large")
        XCTAssertEqual(try post("text/plain", Data("{}".utf8)).errorCode, "unsupported_media_type")
        XCTAssertEqual(try post("text/plain", Data("{}".utf8)).status, 415)
        let chunked = try XCTUnwrap(try raw("POST /v1/videos HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\(key)Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"))
        XCTAssertEqual(chunked.status, 411)
        XCTAssertEqual(chunked.errorCode, "length_required")
        let noLength = try XCTUnwrap(try raw("POST /v1/videos HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\(key)Content-Type: application/json\r\n\r\n"))
        XCTAssertEqual(noLength.status, 411)
        // Announced larger than sent: the connection is cut after http.requestTimeoutSeconds, nothing stored.
        let started = Date()
        let short = try raw("POST /v1/videos HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\(key)Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"title\": \"abc\"}", timeout: 15)
        XCTAssertNil(short, "no answer to a body that never completes")
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        // Announced smaller than sent: the body is the first bytes (broken JSON); the rest is no request.
        let long = try XCTUnwrap(try raw("POST /v1/videos HTTP/1.1\r\nHost: x\r\n\(key)Content-Type: application/json\r\nContent-Length: 5\r\n\r\n{\"title\": \"abcdef\"}"))
        XCTAssertEqual(long.status, 400)
        try assertNothingKept()
    }

    func testBadPathsQueriesAndHeaders_getTheirContractAnswers() throws {
        for path in ["/v1/videos/../healthz", "/v1/videos/%2e%2e/x", "/v1/videos/%2E%2E", "/v1/videos/abc%00def", "/v1/%00",
                     "/v1/videos/not-a-uuid", "/v1/videos/12345678-1234-1234-1234-1234567890ab/../../x", "/nothing", "/v1/videos/%zz"] {
            let answer = try XCTUnwrap(try raw("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\(key)\r\n"), path)
            XCTAssertEqual(answer.status, 404, path)
            XCTAssertEqual(answer.errorCode, "not_found", path)
        }
        // Header fields over 64 KiB: 431 with the error envelope, from one header or from many.
        for (label, fields) in [("one 70 KiB header", "X-Big: \(String(repeating: "a", count: 70 << 10))\r\n"),
                                ("100 headers of 1 KiB", (0..<100).map { "X-H\($0): \(String(repeating: "b", count: 1024))\r\n" }.joined()),
                                ("one 110 KiB header", "X-Big: \(String(repeating: "c", count: 110 << 10))\r\n")] {
            for path in ["/healthz", "/v1/videos"] {
                let answer = try XCTUnwrap(try raw("GET \(path) HTTP/1.1\r\nHost: x\r\n\(key)\(fields)Connection: close\r\n\r\n"), label)
                XCTAssertEqual(answer.status, 431, "\(label) \(path)")
                XCTAssertEqual(answer.errorCode, "request_header_fields_too_large", "\(label) \(path): \(answer.text)")
                XCTAssertNotNil(answer.headers["x-request-id"], label)
            }
        }
        let justUnder = try XCTUnwrap(try raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 60 << 10))\r\nConnection: close\r\n\r\n"))
        XCTAssertEqual(justUnder.status, 200, "60 KiB of headers is fine")
        // A 1 MB header does not fit libmicrohttpd's connection memory: it answers 431 itself with
        // its compiled-in HTML page (no option or callback of 0.9.75 replaces it; docs/API.md).
        let big = try XCTUnwrap(try raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 1 << 20))\r\nConnection: close\r\n\r\n"))
        XCTAssertEqual(big.status, 431)
        try assertNothingKept()
    }

    func testBadUploads_keepNothing() throws {
        let sample = Data(repeating: 0x41, count: 2000)
        let fields = [("title", "Uploaded video"), ("productContentIds", "7")]
        let noVideo = HTTPClient.multipart(fields: fields, files: [])
        let answer = try post(noVideo.contentType, noVideo.body)
        XCTAssertEqual(answer.status, 400)
        XCTAssertEqual(answer.errorCode, "seller.integration.video.url.required")

        let two = HTTPClient.multipart(fields: fields, files: [("video", "a.mp4", sample), ("video", "b.mp4", sample)])
        XCTAssertEqual(try post(two.contentType, two.body).errorCode, "seller.integration.body.required")
        let otherName = HTTPClient.multipart(fields: fields, files: [("file", "a.mp4", sample)])
        XCTAssertEqual(try post(otherName.contentType, otherName.body).status, 400)

        var longHeader = Data("--B\r\nContent-Disposition: form-data; name=\"title\"; x=\"\(String(repeating: "h", count: 100_000))\"\r\n\r\nabc\r\n--B--\r\n".utf8)
        XCTAssertEqual(try post("multipart/form-data; boundary=B", longHeader).status, 400)
        longHeader = Data("not multipart at all".utf8)
        XCTAssertEqual(try post("multipart/form-data", longHeader).errorCode, "seller.integration.body.required")

        // Over http.maxUploadBytes while streaming (the announced length is within the slack).
        let tooBig = HTTPClient.multipart(fields: fields, files: [("video", "big.mp4", Data(repeating: 0, count: 1_100_000))])
        let refused = try post(tooBig.contentType, tooBig.body)
        XCTAssertEqual(refused.status, 413)
        XCTAssertEqual(refused.errorCode, "seller.integration.video.size.exceeded")
        // Announced far over it: refused unread.
        let announced = try XCTUnwrap(try raw("POST /v1/videos HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\(key)Content-Type: multipart/form-data; boundary=B\r\nContent-Length: 900000000\r\n\r\n"))
        XCTAssertEqual(announced.errorCode, "seller.integration.video.size.exceeded")

        // An upload cut in the middle: the partial file goes with the connection.
        let cut = HTTPClient.multipart(fields: fields, files: [("video", "cut.mp4", Data(repeating: 1, count: 600_000))])
        let fd = try HTTPClient.connect(port: port)
        XCTAssertTrue(HTTPClient.send(fd, Data("POST /v1/videos HTTP/1.1\r\nHost: x\r\n\(key)storeFrontCode: TR\r\nContent-Type: \(cut.contentType)\r\nContent-Length: \(cut.body.count)\r\n\r\n".utf8) + cut.body.prefix(300_000)))
        try harness.waitUntil("the partial upload on disk", timeout: 5) { harness.files(under: "uploads").contains { $0.hasPrefix(".upload-") } }
        close(fd)
        try harness.waitUntil("the partial upload removed", timeout: 5) { harness.files(under: "uploads").isEmpty }
        try assertNothingKept()
    }
}
