import Foundation
import XCTest
import IngestDownload
import TestHTTPServer

/// The 500 MB benchmark; runs only with `INGEST_DOWNLOAD_BENCH=1` (it writes 500 MB to the temp directory).
final class DownloaderBenchmarkTests: DownloadTestCase {
    func testBenchmark_500MB_fromLoopback_logsTimeAndPeakRSS() throws {
        guard ProcessInfo.processInfo.environment["INGEST_DOWNLOAD_BENCH"] == "1" else {
            throw XCTSkip("set INGEST_DOWNLOAD_BENCH=1 to run")
        }
        let size: Int64 = 524_288_000
        let before = peakRSSKiB()
        let start = Date()
        let result = try downloader.download(url: server.url("/bytes/\(size)"), to: destination, policy: policy(timeout: 300))
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(result.bytes, size)
        XCTAssertEqual(fileSize(destination), size)
        let after = peakRSSKiB()
        print("BENCH 500MB: \(String(format: "%.2f", seconds)) s, \(String(format: "%.0f", Double(size) / seconds / 1_048_576)) MiB/s, "
              + "peak RSS before \(before / 1024) MiB, after \(after / 1024) MiB (process-wide, server included)")
        XCTAssertLessThan(after - before, 64 * 1024, "the download must not accumulate in memory")
    }

    private func peakRSSKiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss
    }
}
