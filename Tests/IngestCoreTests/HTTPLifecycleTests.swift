import Foundation
import IngestCore
import XCTest

/// The API's life in the daemon: rate limits counted in the store, slowloris, metrics,
/// `apikey new`, and the SIGTERM drain.
final class HTTPLifecycleTests: XCTestCase {
    private var harness: DaemonHarness!
    private var port = 0

    override func tearDownWithError() throws {
        if let harness, harness.daemon != nil { XCTAssertEqual(try harness.stopDaemon(), 0) }
        harness = nil
    }

    private func start(_ overrides: [String: JSONValue] = [:]) throws {
        harness = try DaemonHarness(DaemonHarness.apiConfig(overrides))
        try harness.startDaemon()
        port = try harness.httpPort()
    }

    private func auth(_ seller: String) -> (String, String) { ("Authorization", "Bearer " + DaemonHarness.sellerKeys[seller]!) }

    private func create(_ seller: String, _ n: Int) throws -> HTTPAnswer {
        let body = "{\"title\": \"Video \(n) title\", \"videoUrl\": \"http://127.0.0.1:9/v\(n).mp4\", \"productContentIds\": [\"p\(n)\"]}"
        return try HTTPClient.request(port: port, "POST", "/v1/videos",
                                      headers: [auth(seller), ("Content-Type", "application/json"), ("storeFrontCode", "TR")], body: Data(body.utf8))
    }

    func testCreateRateLimit_answers429AtThe201st_andAcceptsAgainAfterRetryAfter() throws {
        // Workers 0 would be invalid; the videos fail fast on a closed port, which does not matter here.
        try start(["download.retries": .integer(0)])
        for n in 0..<200 { XCTAssertEqual(try create("s1", n).status, 200, "create \(n)") }
        let refused = try create("s1", 200)
        XCTAssertEqual(refused.status, 429)
        XCTAssertEqual(refused.errorCode, "rate_limit_exceeded")
        let wait = try XCTUnwrap(refused.headers["retry-after"].flatMap(Int.init))
        XCTAssertTrue((1...60).contains(wait), "Retry-After \(wait)")
        XCTAssertEqual(try create("s2", 0).status, 200, "another seller has its own limit")
        XCTAssertEqual(try HTTPClient.request(port: port, "GET", "/v1/videos", headers: [auth("s1")]).status, 200, "reads count apart")
        let count = try harness.listAll().filter { $0["sellerId"]?.stringValue == "s1" }.count
        XCTAssertEqual(count, 200, "the refused create stored nothing")
        Thread.sleep(forTimeInterval: Double(wait))
        XCTAssertEqual(try create("s1", 201).status, 200, "a place is free after Retry-After")
    }

    func testReadRateLimit_andAFloodFromOneSeller_leaveOtherSellersServed() throws {
        try start()  // the default: 1000 reads a minute
        let codes = LockedCodes()
        let port = self.port
        let key = auth("s1")
        let other = LockedCodes()
        let otherKey = auth("s2")
        let started = Date()
        DispatchQueue.concurrentPerform(iterations: 9) { worker in
            if worker == 8 {  // another seller, during the flood
                for _ in 0..<30 {
                    if let answer = try? HTTPClient.request(port: port, "GET", "/v1/videos", headers: [otherKey]) { other.add(answer.status) }
                }
                return
            }
            for _ in 0..<150 {
                if let answer = try? HTTPClient.request(port: port, "GET", "/v1/videos", headers: [key]) { codes.add(answer.status) }
            }
        }
        XCTAssertEqual(other.count(200), 30, "the other seller is served meanwhile")
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(codes.count(200), 1000, "1,200 reads in \(seconds) s")
        XCTAssertEqual(codes.count(429), 200)
        XCTAssertEqual(try HTTPClient.request(port: port, "GET", "/v1/videos", headers: [auth("s2")]).status, 200)
    }

    func testTenThousandIdleConnections_doNotStopOtherClients() throws {
        try start(["http.requestTimeoutSeconds": .integer(3)])
        var idle: [Int32] = []
        defer { for fd in idle { close(fd) } }
        for _ in 0..<10_000 {
            // From 127.0.0.2: the per-address limit holds them, the 127.0.0.1 client below is another address.
            guard let fd = try? HTTPClient.connect(port: port, source: "127.0.0.2", timeout: 1) else { continue }
            _ = HTTPClient.send(fd, Data("GET /healthz HTTP/1.1\r\nHost: x\r\n".utf8))  // never finished
            idle.append(fd)
        }
        XCTAssertGreaterThan(idle.count, 9_000, "the connections were opened")
        let started = Date()
        let answer = try HTTPClient.request(port: port, "GET", "/healthz", timeout: 5)
        XCTAssertEqual(answer.status, 200)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        XCTAssertEqual(try HTTPClient.request(port: port, "GET", "/v1/videos", headers: [auth("s1")]).status, 200)
        // The idle ones are cut after http.requestTimeoutSeconds.
        Thread.sleep(forTimeInterval: 4.5)
        var buffer = [UInt8](repeating: 0, count: 16)
        let n = recv(idle[0], &buffer, buffer.count, Int32(MSG_DONTWAIT))
        let error = errno
        XCTAssertTrue(n == 0 || (n < 0 && error != EAGAIN && error != EWOULDBLOCK), "closed by the server (recv \(n), errno \(error))")
    }

    func testMetrics_exposeTheContractsNames_andCountRequests() throws {
        try start()
        _ = try HTTPClient.request(port: port, "GET", "/v1/videos", headers: [auth("s1")])
        _ = try HTTPClient.request(port: port, "GET", "/v1/videos")
        let text = try HTTPClient.request(port: port, "GET", "/metrics")
        XCTAssertEqual(text.status, 200)
        XCTAssertTrue(text.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let body = text.text
        for name in ["video_ingest_build_info", "video_ingest_videos_total", "video_ingest_stage_duration_seconds", "video_ingest_jobs",
                     "video_ingest_oldest_queued_job_age_seconds", "video_ingest_http_requests_total",
                     "video_ingest_http_request_duration_seconds", "video_ingest_webhook_deliveries_total", "video_ingest_download_bytes_total"] {
            XCTAssertTrue(body.contains("# TYPE \(name) "), name)
        }
        XCTAssertTrue(body.contains("video_ingest_http_requests_total{method=\"GET\",route=\"/v1/videos\",code=\"200\"} 1"), body)
        XCTAssertTrue(body.contains("video_ingest_http_requests_total{method=\"GET\",route=\"/v1/videos\",code=\"401\"} 1"), body)
        XCTAssertTrue(body.contains("video_ingest_http_request_duration_seconds_bucket{route=\"/v1/videos\",le=\"+Inf\"} 2"), body)
        XCTAssertTrue(body.contains("video_ingest_jobs{state=\"queued\"} 0"))
        // Counters survive a reload.
        kill(harness.daemon!.processIdentifier, SIGHUP)
        try harness.waitUntil("the reload", timeout: 5) { harness.logLines().contains { $0.contains("SIGHUP") } }
        XCTAssertTrue(try HTTPClient.request(port: port, "GET", "/metrics").text.contains("route=\"/v1/videos\",code=\"200\"} 1"))
    }

    func testAPIKeyNew_printsAKeyWhoseEntryAuthenticates() throws {
        harness = try DaemonHarness()
        let result = try harness.run(["apikey", "new", "--seller", "s9"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let printed = try JSONParser.parse(Data(result.stdout.utf8))
        let key = try XCTUnwrap(printed["key"]?.stringValue)
        let entry = try XCTUnwrap(printed["configEntry"])
        XCTAssertEqual(entry["sellerId"], .string("s9"))
        XCTAssertEqual(entry["sha256"]?.stringValue, SHA256Hex.of(key))
        XCTAssertNotEqual(try JSONParser.parse(Data(try harness.run(["apikey", "new", "--seller", "s9"]).stdout.utf8))["key"]?.stringValue, key)
        XCTAssertEqual(try harness.run(["apikey", "new"]).status, 1)
        XCTAssertEqual(try harness.run(["apikey", "new", "--role", "admin"]).status, 0)
        try harness.writeConfig(["http.listen": .string("127.0.0.1:0"), "http.apiKeys": .array([entry])])
        try harness.startDaemon()
        port = try harness.httpPort()
        XCTAssertEqual(try HTTPClient.request(port: port, "GET", "/v1/videos", headers: [("Authorization", "Bearer \(key)")]).status, 200)
        XCTAssertEqual(try HTTPClient.request(port: port, "GET", "/v1/videos", headers: [("Authorization", "Bearer \(key)x")]).status, 401)
    }

    func testSIGTERM_turnsReadyzTo503_letsTheRequestInFlightFinish_thenCloses() throws {
        try start()
        let form = HTTPClient.multipart(fields: [("title", "Draining upload"), ("productContentIds", "7")],
                                        files: [("video", "clip.mp4", Data(repeating: 7, count: 200_000))])
        let fd = try HTTPClient.connect(port: port)
        defer { close(fd) }
        XCTAssertTrue(HTTPClient.send(fd, Data("POST /v1/videos HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\(auth("s1").0): \(auth("s1").1)\r\nstoreFrontCode: TR\r\nContent-Type: \(form.contentType)\r\nContent-Length: \(form.body.count)\r\n\r\n".utf8) + form.body.prefix(1000)))
        Thread.sleep(forTimeInterval: 0.3)
        kill(harness.daemon!.processIdentifier, SIGTERM)
        try harness.waitUntil("readyz 503", timeout: 3) { (try? HTTPClient.request(port: port, "GET", "/readyz", timeout: 1))?.status == 503 }
        let refused = try HTTPClient.request(port: port, "GET", "/v1/videos", headers: [auth("s1")])
        XCTAssertEqual(refused.status, 503)
        XCTAssertEqual(refused.errorCode, "unavailable")
        XCTAssertTrue(HTTPClient.send(fd, form.body.dropFirst(1000)))
        let answer = try XCTUnwrap(HTTPClient.parse(HTTPClient.readAll(fd)))
        XCTAssertEqual(answer.status, 200, "the request in flight finished: \(answer.text)")
        try harness.waitUntil("the daemon exits", timeout: 30) { !harness.daemon!.isRunning }
        XCTAssertEqual(harness.daemon!.terminationStatus, 0)
        XCTAssertThrowsError(try HTTPClient.request(port: port, "GET", "/healthz", timeout: 1), "the listener is closed")
    }
}

/// Status codes gathered from several threads.
final class LockedCodes: @unchecked Sendable {
    private let lock = NSLock()
    private var codes: [Int] = []
    func add(_ code: Int) { lock.withLock { codes.append(code) } }
    func count(_ code: Int) -> Int { lock.withLock { codes.filter { $0 == code }.count } }
}
