import Foundation
import XCTest
import IngestDownload
import TestHTTPServer

/// Redirects, schemes and the address policy (checked on the address actually
/// connected to, at every hop). The "blocked" server listens on 127.0.0.2 and
/// must see no connection at all.
final class DownloaderRedirectAndAddressTests: DownloadTestCase {
    var blocked: TestHTTPServer!

    override func setUpWithError() throws {
        try super.setUpWithError()
        blocked = try TestHTTPServer(host: "127.0.0.2")
        blocked.fileRoot = Self.sampleMedia
    }

    override func tearDown() {
        blocked?.stop()
        blocked = nil
        super.tearDown()
    }

    func assertUrlInvalid(_ url: String, _ policy: DownloadPolicy, file: StaticString = #filePath, line: UInt = #line) {
        let error = failure(url, policy, file: file, line: line)
        XCTAssertEqual(error?.failure, .urlInvalid, "\(error.map { "\($0)" } ?? "no error")", file: file, line: line)
        XCTAssertEqual(blocked.connectionCount, 0, "the blocked server was reached", file: file, line: line)
    }

    // MARK: Redirects

    func testDownload_redirect_followsToFile() throws {
        let url = server.url("/redirect?code=301&to=\(encoded("/files/h264_aac_10s.mp4"))")
        let result = try downloader.download(url: url, to: destination, policy: policy())
        XCTAssertEqual(result.bytes, fileSize(Self.sampleMedia + "/h264_aac_10s.mp4"))
        XCTAssertEqual(result.effectiveURL, server.url("/files/h264_aac_10s.mp4"))
    }

    func testDownload_redirectChainWithinLimit_succeeds() throws {
        let url = server.url("/redirect-chain/5?to=\(encoded("/bytes/1234"))")
        let result = try downloader.download(url: url, to: destination, policy: policy())
        XCTAssertEqual(result.bytes, 1234)
    }

    func testDownload_tooManyRedirects_isFailed() throws {
        let error = failure(server.url("/redirect-chain/6?to=\(encoded("/bytes/1234"))"), try policy())
        XCTAssertEqual(error?.failure, .failed)
        XCTAssertEqual(server.requestCount(path: "/bytes/1234"), 0)
    }

    func testDownload_redirectLoop_isFailed_andNotRetried() throws {
        let error = failure(server.url("/loop"), try policy())
        XCTAssertEqual(error?.failure, .failed)
        XCTAssertEqual(server.requestCount(path: "/loop"), 6)
    }

    func testDownload_redirectToFileScheme_isUrlInvalid() throws {
        assertUrlInvalid(server.url("/redirect?to=\(encoded("file:///etc/passwd"))"), try policy())
        XCTAssertFalse(FileManager.default.contentsEqual(atPath: destination, andPath: "/etc/passwd"))
    }

    func testDownload_redirectToFtp_isUrlInvalid() throws {
        assertUrlInvalid(server.url("/redirect?to=\(encoded("ftp://127.0.0.1:\(server.port)/"))"), try policy())
    }

    func testDownload_redirectToGopher_isUrlInvalid() throws {
        assertUrlInvalid(server.url("/redirect?to=\(encoded("gopher://127.0.0.1:\(server.port)/"))"), try policy())
    }

    func testDownload_unsupportedScheme_isUrlInvalid_beforeCurl() throws {
        assertUrlInvalid("ftp://127.0.0.1:\(server.port)/x", try policy())
        assertUrlInvalid("file:///etc/passwd", try policy())
        XCTAssertEqual(server.connectionCount, 0)
    }

    // MARK: Blocked addresses

    func testDownload_serverOnBlockedAddress_isUrlInvalid_andBlockedServerSeesNothing() throws {
        assertUrlInvalid(blocked.url("/files/h264_aac_10s.mp4"), try policy())
    }

    func testDownload_redirectToBlockedAddress_isUrlInvalid_andBlockedServerSeesNothing() throws {
        assertUrlInvalid(server.url("/redirect?to=\(encoded(blocked.url("/files/h264_aac_10s.mp4")))"), try policy())
        XCTAssertEqual(server.requestCount(path: "/redirect"), 1)
    }

    func testDownload_noAllowedNetworks_refusesLoopback() throws {
        let error = failure(server.url("/files/h264_aac_10s.mp4"), try policy(allowed: []))
        XCTAssertEqual(error?.failure, .urlInvalid)
        XCTAssertTrue(error?.message.contains("127.0.0.1") ?? false)
        XCTAssertEqual(server.connectionCount, 0)
    }

    func testDownload_alternateIPv4Forms_ofBlockedAddress_areUrlInvalid() throws {
        let port = blocked.port
        for host in ["2130706434", "0x7f000002", "0177.0.0.2", "127.2", "0x7f.0.0.2", "127.0.2"] {
            assertUrlInvalid("http://\(host):\(port)/files/h264_aac_10s.mp4", try policy())
        }
    }

    func testDownload_unspecifiedAddress_isUrlInvalid() throws {
        assertUrlInvalid("http://0.0.0.0:\(blocked.port)/", try policy())
        assertUrlInvalid("http://0:\(blocked.port)/", try policy())
    }

    func testDownload_ipv6Loopback_refusedUnlessAllowed() throws {
        let v6: TestHTTPServer
        do { v6 = try TestHTTPServer(host: "::1") } catch { throw XCTSkip("no IPv6 loopback: \(error)") }
        defer { v6.stop() }
        let error = failure(v6.url("/bytes/10"), try policy())
        XCTAssertEqual(error?.failure, .urlInvalid)
        XCTAssertEqual(v6.connectionCount, 0)
        let result = try downloader.download(url: v6.url("/bytes/10"), to: destination, policy: policy(allowed: ["::1/128"]))
        XCTAssertEqual(result.bytes, 10)
        XCTAssertEqual(v6.connectionCount, 1)
    }

    func testDownload_ipv4MappedIPv6_ofBlockedAddress_isUrlInvalid() throws {
        assertUrlInvalid("http://[::ffff:127.0.0.2]:\(blocked.port)/", try policy())
        assertUrlInvalid("http://[::ffff:7f00:2]:\(blocked.port)/", try policy())
    }

    func testDownload_ipv4MappedIPv6_ofAllowedAddress_succeeds() throws {
        let result = try downloader.download(url: "http://[::ffff:127.0.0.1]:\(server.port)/bytes/10", to: destination, policy: policy())
        XCTAssertEqual(result.bytes, 10)
    }

    func testDownload_allowedNetworkCoversBlockedServer_reachesIt() throws {
        let result = try downloader.download(url: blocked.url("/bytes/10"), to: destination, policy: policy(allowed: ["127.0.0.0/8"]))
        XCTAssertEqual(result.bytes, 10)
        XCTAssertEqual(blocked.connectionCount, 1)
    }

    // MARK: URL syntax

    func testDownload_userinfo_isUrlInvalid() throws {
        assertUrlInvalid("http://user@127.0.0.1:\(server.port)/bytes/10", try policy())
        assertUrlInvalid("http://user:pass@127.0.0.1:\(server.port)/bytes/10", try policy())
        XCTAssertEqual(server.connectionCount, 0)
    }

    func testDownload_controlCharactersOrSpaces_areUrlInvalid() throws {
        for url in ["http://127.0.0.1:\(server.port)/bytes/10\r\nX-Injected: 1",
                    "http://127.0.0.1:\(server.port)/bytes/10\n",
                    "http://127.0.0.1:\(server.port)/a b",
                    "http://127.0.0.1:\(server.port)/\u{0}",
                    "http://127.0.0.1:\(server.port)/\t"] {
            assertUrlInvalid(url, try policy())
        }
        XCTAssertEqual(server.connectionCount, 0)
    }

    func testDownload_malformedURLs_areUrlInvalid() throws {
        for url in ["http://[::1", "http://", "http:///bytes/10", "http://127.0.0.1:99999/", "not a url", "", "http://[zz::1]/"] {
            assertUrlInvalid(url, try policy())
        }
    }
}
