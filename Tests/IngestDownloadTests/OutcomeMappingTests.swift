import CCurl
import XCTest
@testable import IngestDownload

/// The one mapping from attempt outcomes to DownloadFailure, and URL preflight.
final class OutcomeMappingTests: XCTestCase {
    func failure(_ outcome: AttemptOutcome) -> (DownloadFailure?, retry: Bool) {
        switch verdict(for: outcome) {
        case .success: return (nil, false)
        case .retry(let error): return (error.failure, true)
        case .fail(let error): return (error.failure, false)
        }
    }

    func outcome(_ code: CURLcode, status: Int? = nil) -> AttemptOutcome {
        var outcome = AttemptOutcome(curlCode: code)
        outcome.httpStatus = status
        return outcome
    }

    func testHTTPStatuses() {
        XCTAssertTrue(failure(outcome(CURLE_OK, status: 200)) == (nil, false))
        XCTAssertTrue(failure(outcome(CURLE_OK, status: 206)) == (nil, false))
        XCTAssertTrue(failure(outcome(CURLE_OK, status: 404)) == (.failed, false))
        XCTAssertTrue(failure(outcome(CURLE_OK, status: 304)) == (.failed, false))
        XCTAssertTrue(failure(outcome(CURLE_OK, status: 500)) == (.failed, true))
        XCTAssertTrue(failure(outcome(CURLE_OK, status: 503)) == (.failed, true))
        var aborted = outcome(CURLE_WRITE_ERROR, status: 502)
        aborted.abortedForStatus = true
        XCTAssertTrue(failure(aborted) == (.failed, true))
    }

    func testCurlCodes() {
        XCTAssertTrue(failure(outcome(CURLE_UNSUPPORTED_PROTOCOL)) == (.urlInvalid, false))
        XCTAssertTrue(failure(outcome(CURLE_URL_MALFORMAT)) == (.urlInvalid, false))
        XCTAssertTrue(failure(outcome(CURLE_COULDNT_RESOLVE_HOST)) == (.urlInvalid, false))
        XCTAssertTrue(failure(outcome(CURLE_TOO_MANY_REDIRECTS)) == (.failed, false))
        XCTAssertTrue(failure(outcome(CURLE_OPERATION_TIMEDOUT)) == (.timeout, false))
        XCTAssertTrue(failure(outcome(CURLE_FILESIZE_EXCEEDED)) == (.sizeExceeded, false))
        XCTAssertTrue(failure(outcome(CURLE_COULDNT_CONNECT)) == (.failed, true))
        XCTAssertTrue(failure(outcome(CURLE_PARTIAL_FILE)) == (.failed, true))
        XCTAssertTrue(failure(outcome(CURLE_RECV_ERROR)) == (.failed, true))
        XCTAssertTrue(failure(outcome(CURLE_GOT_NOTHING)) == (.failed, true))
        XCTAssertTrue(failure(outcome(CURLE_WEIRD_SERVER_REPLY)) == (.failed, false))
        XCTAssertTrue(failure(outcome(CURLE_OUT_OF_MEMORY)) == (.localFault, false))
    }

    func testOwnAbortsWinOverCurlCode() {
        var blocked = outcome(CURLE_COULDNT_CONNECT)
        blocked.blockedReason = "127.0.0.2 is loopback"
        XCTAssertTrue(failure(blocked) == (.urlInvalid, false))
        var size = outcome(CURLE_WRITE_ERROR, status: 200)
        size.sizeExceeded = "too big"
        XCTAssertTrue(failure(size) == (.sizeExceeded, false))
        var stall = outcome(CURLE_ABORTED_BY_CALLBACK)
        stall.stalledAfter = 31
        XCTAssertTrue(failure(stall) == (.timeout, false))
        var cancelled = outcome(CURLE_ABORTED_BY_CALLBACK)
        cancelled.cancelled = true
        XCTAssertTrue(failure(cancelled) == (.cancelled, false))
        var disk = outcome(CURLE_WRITE_ERROR, status: 200)
        disk.localFault = DownloadError(.localFault, "ENOSPC")
        XCTAssertTrue(failure(disk) == (.localFault, false))
    }

    func testSellerFailureFlags() {
        XCTAssertEqual(DownloadFailure.allCases.filter(\.isSellerFailure), [.urlInvalid, .failed, .timeout, .sizeExceeded])
    }

    func testURLPreflight() {
        XCTAssertNil(URLPreflight.refusal("http://127.0.0.1:8080/a.mp4?x=1#f"))
        XCTAssertNil(URLPreflight.refusal("HTTPS://localhost/v.mp4"))
        XCTAssertNotNil(URLPreflight.refusal("http://u@localhost/"))
        XCTAssertNotNil(URLPreflight.refusal("http://localhost/a\u{85}b"))
        XCTAssertNotNil(URLPreflight.refusal("http://localhost/a\u{2028}b"))
        XCTAssertNotNil(URLPreflight.refusal("ftp://localhost/"))
        XCTAssertNotNil(URLPreflight.refusal("localhost/a.mp4"))
        XCTAssertNotNil(URLPreflight.refusal("http:///a"))
        XCTAssertNotNil(URLPreflight.refusal("http://localhost\\@127.0.0.1/"))
        XCTAssertNil(URLPreflight.refusal("http://localhost/path@with-at"), "an @ in the path is not userinfo")
    }
}
