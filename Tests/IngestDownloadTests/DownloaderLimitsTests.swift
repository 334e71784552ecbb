import Foundation
import XCTest
import IngestDownload
import TestHTTPServer

/// Timeouts, stalls and the size cap.
final class DownloaderLimitsTests: DownloadTestCase {
    func testDownload_stall_isTimeout() throws {
        let start = Date()
        let error = failure(server.url("/stall/10"), try policy(timeout: 20, stall: 1))
        XCTAssertEqual(error?.failure, .timeout)
        XCTAssertLessThan(Date().timeIntervalSince(start), 4)
        XCTAssertEqual(server.requestCount(path: "/stall/10"), 1, "timeouts are not retried")
    }

    func testDownload_wholeTimeoutOnSlowBody_isTimeout() throws {
        let start = Date()
        let error = failure(server.url("/slow?bytesPerSecond=1000"), try policy(timeout: 2, stall: 5))
        XCTAssertEqual(error?.failure, .timeout)
        XCTAssertLessThan(Date().timeIntervalSince(start), 4)
        XCTAssertEqual(server.requestCount(path: "/slow"), 1)
    }

    func testDownload_headersNeverEnd_isTimeout() throws {
        let start = Date()
        let error = failure(server.url("/headers-never-end"), try policy(timeout: 2, stall: 5))
        XCTAssertEqual(error?.failure, .timeout)
        XCTAssertLessThan(Date().timeIntervalSince(start), 4)
    }

    func testDownload_hugeAnnouncedLength_isSizeExceeded_withoutDownloading() throws {
        let start = Date()
        let error = failure(server.url("/huge-length"), try policy(maxBytes: 1_000_000))
        XCTAssertEqual(error?.failure, .sizeExceeded)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
        XCTAssertEqual(fileSize(destination), 0)
        XCTAssertEqual(server.requestCount(path: "/huge-length"), 1)
    }

    func testDownload_announcedLengthOverLimit_isSizeExceeded_withoutDownloading() throws {
        let error = failure(server.url("/bytes/2000000"), try policy(maxBytes: 1_999_999))
        XCTAssertEqual(error?.failure, .sizeExceeded)
        XCTAssertEqual(fileSize(destination), 0)
    }

    func testDownload_exactlyMaxBytes_succeeds() throws {
        let result = try downloader.download(url: server.url("/bytes/50000?noLength=1"), to: destination, policy: policy(maxBytes: 50_000))
        XCTAssertEqual(result.bytes, 50_000)
    }

    func testDownload_lyingLength_isSizeExceeded_andFileStaysUnderLimit() throws {
        let error = failure(server.url("/lying-length?announce=100&send=1000000"), try policy(maxBytes: 50_000))
        XCTAssertEqual(error?.failure, .sizeExceeded)
        XCTAssertLessThanOrEqual(fileSize(destination), 50_000)
    }

    func testDownload_plainLyingLength_stopsAtAnnouncedLength() throws {
        // A plain Content-Length lie is harmless: the client reads only what was announced.
        let result = try downloader.download(url: server.url("/lying-length?announce=100&send=1000000&mode=plain"),
                                             to: destination, policy: policy(maxBytes: 50_000))
        XCTAssertEqual(result.bytes, 100)
    }

    func testDownload_bodyWithoutLengthOverLimit_isSizeExceeded() throws {
        let error = failure(server.url("/bytes/1000000?noLength=1"), try policy(maxBytes: 50_000))
        XCTAssertEqual(error?.failure, .sizeExceeded)
        XCTAssertLessThanOrEqual(fileSize(destination), 50_000)
    }

    func testDownload_chunkedEndless_isSizeExceeded() throws {
        let start = Date()
        let error = failure(server.url("/chunked-endless"), try policy(maxBytes: 1_000_000))
        XCTAssertEqual(error?.failure, .sizeExceeded)
        XCTAssertLessThanOrEqual(fileSize(destination), 1_000_000)
        XCTAssertLessThan(Date().timeIntervalSince(start), 3)
    }

    func testDownload_errorStatusWithEndlessBody_isNotWritten() throws {
        let error = failure(server.url("/status/404"), try policy())
        XCTAssertEqual(error?.failure, .failed)
        XCTAssertEqual(fileSize(destination), 0)
    }

    func testDownload_invalidPolicy_isInvalidConfig() throws {
        var bad = try policy()
        bad.timeoutSeconds = 0
        XCTAssertEqual(failure(server.url("/bytes/10"), bad)?.failure, .invalidConfig)
        XCTAssertEqual(server.connectionCount, 0)
    }
}
