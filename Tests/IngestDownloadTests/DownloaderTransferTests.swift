import Foundation
import XCTest
import IngestCrypto
import IngestDownload
import TestHTTPServer

/// Successful transfers, HTTP statuses and retries.
final class DownloaderTransferTests: DownloadTestCase {
    func testDownload_sampleFile_isByteIdentical() throws {
        let result = try downloader.download(url: server.url("/files/h264_aac_10s.mp4"), to: destination, policy: policy())
        let original = try Data(contentsOf: URL(fileURLWithPath: Self.sampleMedia + "/h264_aac_10s.mp4"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: destination)), original)
        XCTAssertEqual(result.bytes, Int64(original.count))
        XCTAssertEqual(result.httpStatus, 200)
        XCTAssertEqual(result.contentType, "video/mp4")
        XCTAssertEqual(result.attempts, 1)
        XCTAssertEqual(result.path, destination)
        XCTAssertEqual(result.sha256, SHA256.hex(original), "the digest is the body's, computed as it arrived")
    }

    func testDownload_truncatedThenRetried_digestIsOfTheFinalBodyOnly() throws {
        let result = try downloader.download(url: server.url("/cut-once/h264_aac_10s.mp4"), to: destination, policy: policy(retries: 2))
        let original = try Data(contentsOf: URL(fileURLWithPath: Self.sampleMedia + "/h264_aac_10s.mp4"))
        XCTAssertEqual(result.attempts, 2)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: destination)), original)
        XCTAssertEqual(result.sha256, SHA256.hex(original), "the cut attempt's bytes are not in the digest")
    }

    /// A body many times the sink's ring of buffers and its writeback step (and of no round size):
    /// the hashing thread must see every buffer once, in order, and the file must be whole.
    func testDownload_largeBody_digestAndFileMatchTheBody() throws {
        let size = 10_000_003
        let result = try downloader.download(url: server.url("/bytes/\(size)"), to: destination, policy: policy())
        let body = (0..<size).map { UInt8($0 % 251) }
        XCTAssertEqual(result.bytes, Int64(size))
        XCTAssertEqual(result.sha256, SHA256.hex(body), "the digest is of the whole body, in order")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: destination)), Data(body))
    }

    func testDownload_chunkedWithoutLength_isByteIdentical() throws {
        let result = try downloader.download(url: server.url("/chunked-file/h264_aac_10s.mp4"), to: destination, policy: policy())
        let original = try Data(contentsOf: URL(fileURLWithPath: Self.sampleMedia + "/h264_aac_10s.mp4"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: destination)), original)
        XCTAssertEqual(result.bytes, Int64(original.count))
    }

    func testDownload_existingDestination_isTruncated() throws {
        try Data(repeating: 7, count: 2_000_000).write(to: URL(fileURLWithPath: destination))
        let result = try downloader.download(url: server.url("/bytes/1000"), to: destination, policy: policy())
        XCTAssertEqual(result.bytes, 1000)
        XCTAssertEqual(fileSize(destination), 1000)
        let data = try Data(contentsOf: URL(fileURLWithPath: destination))
        XCTAssertEqual(Array(data.prefix(300)), (0..<300).map { UInt8($0 % 251) })
    }

    func testDownload_reportsProgress() throws {
        let seen = Locked<[(Int64, Int64?)]>([])
        _ = try downloader.download(url: server.url("/bytes/3000000"), to: destination, policy: policy(),
                                    progress: { bytes, total in seen.mutate { $0.append((bytes, total)) } })
        let reports = seen.value
        XCTAssertEqual(reports.last?.0, 3_000_000)
        XCTAssertEqual(reports.last?.1, 3_000_000)
        XCTAssertEqual(reports.map(\.0), reports.map(\.0).sorted(), "bytes never go backwards")
    }

    func testDownload_404_isFailed_andNotRetried() {
        let error = failure(server.url("/status/404"), try! policy())
        XCTAssertEqual(error?.failure, .failed)
        XCTAssertEqual(error?.httpStatus, 404)
        XCTAssertEqual(server.requestCount(path: "/status/404"), 1)
    }

    func testDownload_500_isRetried_thenFailed() {
        let error = failure(server.url("/status/500"), try! policy(retries: 2))
        XCTAssertEqual(error?.failure, .failed)
        XCTAssertEqual(error?.httpStatus, 500)
        XCTAssertEqual(server.requestCount(path: "/status/500"), 3)
    }

    func testDownload_503_isRetried_thenFailed() {
        let error = failure(server.url("/status/503"), try! policy(retries: 1))
        XCTAssertEqual(error?.failure, .failed)
        XCTAssertEqual(server.requestCount(path: "/status/503"), 2)
    }

    func testDownload_flaky503ThenSuccess_succeedsOnThirdAttempt() throws {
        let result = try downloader.download(url: server.url("/flaky/2/h264_aac_10s.mp4"), to: destination, policy: policy(retries: 2))
        XCTAssertEqual(result.attempts, 3)
        XCTAssertEqual(result.bytes, fileSize(Self.sampleMedia + "/h264_aac_10s.mp4"))
        XCTAssertEqual(fileSize(destination), result.bytes)
    }

    func testDownload_connectionRefused_isRetried_thenFailed() throws {
        let port = server.port
        server.stop()
        let error = failure("http://127.0.0.1:\(port)/files/x.mp4", try policy(retries: 1))
        XCTAssertEqual(error?.failure, .failed)
        XCTAssertEqual(error?.message.contains("2 attempts"), true, error?.message ?? "")
    }

    func testDownload_truncatedBody_isFailed() throws {
        // /stall announces 1 MB, sends 100 bytes, then closes after the stall: a partial file.
        let error = failure(server.url("/stall/1"), try policy(stall: 5, retries: 0))
        XCTAssertEqual(error?.failure, .failed)
    }

    func testDownload_shouldCancel_isCancelled() {
        let start = Date()
        let error = failure(server.url("/slow?bytesPerSecond=10"), try! policy(), shouldCancel: {
            Date().timeIntervalSince(start) > 0.5
        })
        XCTAssertEqual(error?.failure, .cancelled)
        XCTAssertLessThan(Date().timeIntervalSince(start), 3)
    }

    func testDownload_missingDestinationDirectory_isLocalFault() throws {
        let policy = try policy()
        do {
            _ = try downloader.download(url: server.url("/bytes/10"), to: directory + "/no/such/dir/file", policy: policy)
            XCTFail("expected ENOENT")
        } catch {
            XCTAssertEqual(error.failure, .localFault)
            XCTAssertFalse(error.failure.isSellerFailure)
        }
        XCTAssertEqual(server.connectionCount, 0)
    }

    func testDownload_fullDisk_isLocalFault() throws {
        guard FileManager.default.isWritableFile(atPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        let policy = try policy()
        do {
            _ = try downloader.download(url: server.url("/bytes/1000000"), to: "/dev/full", policy: policy)
            XCTFail("expected ENOSPC")
        } catch {
            XCTAssertEqual(error.failure, .localFault)
            XCTAssertTrue(error.message.contains("No space"), error.message)
        }
    }
}

/// A tiny lock-protected box for values set from `@Sendable` callbacks.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func mutate(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
