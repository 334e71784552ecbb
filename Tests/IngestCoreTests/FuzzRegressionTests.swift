import XCTest
@testable import IngestCore

/// Inputs found by `make fuzz` (Fuzz/request) that broke an invariant, kept as regression tests.
/// Each test feeds the exact crashing input (shown in the comment as libFuzzer wrote it).
final class FuzzRegressionTests: XCTestCase {
    /// crash-9aecf602dc07e3aa242309e6c265dd020165e4f3: `6e666\n`. The number overflowed to infinity,
    /// whose canonical text is `null`, so `{"x": 6e666}` and `{"x": null}` shared one idempotency
    /// digest. Numbers out of a Double's range are now refused as invalid JSON.
    func testFuzz_request_infiniteNumberIsRefusedNotCanonicalizedToNull() {
        XCTAssertThrowsError(try JSONParser.parse(Data("6e666\n".utf8))) { error in
            XCTAssertEqual((error as? JSONParser.Failure)?.message, "number out of range")
        }
        XCTAssertThrowsError(try JSONParser.parse(Data("-1e309".utf8)))
        XCTAssertEqual(try JSONParser.parse(Data("1e308".utf8)), .number(1e308))
        XCTAssertEqual(try JSONParser.parse(Data("1e-400".utf8)).canonical, .integer(0))

        let withHuge = Data(#"{"title":"Long enough","videoUrl":"https://h/v.mp4","productContentIds":["1"],"storeFrontCode":"TR","x":6e666}"#.utf8)
        guard case .failure(let rejection) = RequestValidator.validate(body: withHuge, storeFrontCodes: ["TR"]) else {
            return XCTFail("a body with an out-of-range number validated")
        }
        XCTAssertEqual(rejection.errors.map(\.code), [RequestErrorCode.bodyRequired.rawValue])
    }
}
