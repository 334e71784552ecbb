import Foundation
import XCTest
import IngestDownload
import TestHTTPServer

/// Shared setup: a server on 127.0.0.1 serving SampleMedia, a temp directory,
/// and a fast policy that allows only 127.0.0.1.
class DownloadTestCase: XCTestCase {
    /// The repository's SampleMedia directory, found from this file's path.
    static let sampleMedia: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SampleMedia").path

    var server: TestHTTPServer!
    var directory: String!
    let downloader = Downloader()

    override func setUpWithError() throws {
        server = try TestHTTPServer()
        server.fileRoot = Self.sampleMedia
        directory = NSTemporaryDirectory() + "ingest-download-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        server?.stop()
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
        server = nil
    }

    var destination: String { directory + "/download.bin" }

    /// Short timeouts, quick backoff, 127.0.0.1 allowed.
    func policy(timeout: Double = 10, stall: Double = 5, retries: Int = 2, maxBytes: Int64 = 524_288_000,
                allowed: [String] = ["127.0.0.1/32"]) throws -> DownloadPolicy {
        DownloadPolicy(timeoutSeconds: timeout, stallTimeoutSeconds: stall, maxRedirects: 5, retries: retries,
                       retryBackoffSeconds: 0.05, maxBytes: maxBytes, allowedNetworks: try allowed.map { try CIDR($0) })
    }

    /// Runs a download expected to fail and returns its error.
    func failure(_ url: String, _ policy: DownloadPolicy, file: StaticString = #filePath, line: UInt = #line,
                 shouldCancel: (@Sendable () -> Bool)? = nil) -> DownloadError? {
        do {
            let result = try downloader.download(url: url, to: destination, policy: policy, shouldCancel: shouldCancel)
            XCTFail("expected a failure, got \(result)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    /// Percent-encodes a URL for a query value.
    func encoded(_ url: String) -> String {
        url.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.int64Value ?? -1
    }
}
