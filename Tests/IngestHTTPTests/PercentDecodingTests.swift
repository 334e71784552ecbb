@testable import IngestHTTP
import XCTest

final class PercentDecodingTests: XCTestCase {
    func testDecode_handlesEscapesPlusAndRefusesNULAndBrokenEscapes() {
        XCTAssertEqual(PercentDecoding.decode("a%20b%2Fc"), "a b/c")
        XCTAssertEqual(PercentDecoding.decode("%2e%2E"), "..")
        XCTAssertEqual(PercentDecoding.decode("a+b", plusIsSpace: true), "a b")
        XCTAssertEqual(PercentDecoding.decode("a+b"), "a+b")
        XCTAssertEqual(PercentDecoding.decode("%C3%A9"), "é")
        XCTAssertNil(PercentDecoding.decode("a%00b"))
        XCTAssertNil(PercentDecoding.decode("%zz"))
        XCTAssertNil(PercentDecoding.decode("%4"))
        XCTAssertNil(PercentDecoding.decode("%C3"), "invalid UTF-8")
    }

    func testListenAddresses_parseHostAndPort() {
        XCTAssertTrue(HTTPServer.isValidListen("127.0.0.1:8080"))
        XCTAssertTrue(HTTPServer.isValidListen("[::1]:0"))
        XCTAssertTrue(HTTPServer.isValidListen("0.0.0.0:65535"))
        XCTAssertFalse(HTTPServer.isValidListen("localhost:8080"), "numeric hosts only")
        XCTAssertFalse(HTTPServer.isValidListen("127.0.0.1"))
        XCTAssertFalse(HTTPServer.isValidListen("127.0.0.1:70000"))
        XCTAssertFalse(HTTPServer.isValidListen("::1:80"))
    }
}
