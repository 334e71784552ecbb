import Foundation
import XCTest
@testable import IngestCore

/// The drop-file parser on the largest bodies a stranger may send (RequestValidator.maxBodyBytes).
final class JSONParserHardeningTests: XCTestCase {
    /// A repeated key keeps its last value, at the place of its last occurrence.
    func testRepeatedKeys_keepTheLastValue_atTheLastPlace() throws {
        let value = try JSONParser.parse(Data(#"{"a":1,"b":2,"a":3,"c":{"x":1,"x":2},"b":4}"#.utf8))
        XCTAssertEqual(value.compact, #"{"a":3,"c":{"x":2},"b":4}"#)
        XCTAssertEqual(try JSONParser.parse(Data(#"{"k":1,"k":2,"k":3}"#.utf8)), .object([("k", .integer(3))]))
        // Keys equal as Swift strings (canonically equivalent Unicode) are the same key.
        XCTAssertEqual(try JSONParser.parse(Data("{\"\u{E9}\":1,\"e\u{301}\":2}".utf8)).compact, "{\"e\u{301}\":2}")
    }

    /// A 1 MiB object of ~96k distinct keys, and one of ~50k keys each repeated, parse in well under a
    /// second of release time (they took 30 s when every key searched the members before it: one such
    /// drop stalled intake for every seller).
    func testMaximumSizeObjects_parseInLinearTime() throws {
        var distinct = "{"
        var i = 0
        while distinct.utf8.count < RequestValidator.maxBodyBytes - 40 { distinct += "\"k\(i)\":0,"; i += 1 }
        distinct += "\"z\":0}"
        var repeated = "{"
        var j = 0
        while repeated.utf8.count < RequestValidator.maxBodyBytes - 40 { repeated += "\"k\(j % 50_000)\":0,"; j += 1 }
        repeated += "\"z\":0}"
        for (name, text) in [("distinct", distinct), ("repeated", repeated)] {
            let start = Date()
            let result = RequestValidator.validate(body: Data(text.utf8), storeFrontCodes: ["TR"])
            let elapsed = Date().timeIntervalSince(start)
            guard case .failure(let rejection) = result else { return XCTFail("\(name) validated") }
            XCTAssertTrue(rejection.errors.contains { $0.code == RequestErrorCode.titleRequired.rawValue }, name)
            XCTAssertLessThan(elapsed, 10, "\(name): \(elapsed) s for \(text.utf8.count) bytes (debug build)")
        }
        XCTAssertGreaterThan(i, 90_000)
    }
}
