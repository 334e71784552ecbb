import Foundation
import XCTest
@testable import IngestCore

/// `JSONCoding`: `Codable` types through `JSONValue` and `JSONParser`, the project's one JSON path.
final class JSONCodingTests: XCTestCase {
    private enum Kind: Codable, Equatable { case file(path: String, bytes: Int64), none }
    private struct Sample: Codable, Equatable {
        var name: String
        var note: String?
        var ratio: Double
        var count: UInt8
        var big: Int64
        var flags: [Bool]
        var nested: [String: [Int]]
        var kind: Kind
        var kinds: [Kind]
    }

    private let sample = Sample(name: "ünïcode \"quoted\" / slash", note: nil, ratio: 0.1, count: 255, big: Int64.min,
                                flags: [true, false], nested: ["a": [1, 2], "b": []],
                                kind: .file(path: "g3/source", bytes: 1 << 40), kinds: [.none, .file(path: "x", bytes: 0)])

    func testRoundTrip_throughTextAndTheParser_keepsEveryValue_andLeavesNilOut() throws {
        let text = try JSONCoding.text(sample)
        XCTAssertFalse(text.contains("note"), text)
        XCTAssertTrue(text.hasPrefix(#"{"name":"#), "members in the order the type encodes them: \(text)")
        XCTAssertEqual(try JSONCoding.decode(Sample.self, from: Data(text.utf8)), sample)
    }

    func testMediaChildRequest_roundTrips() throws {
        let request = MediaChildRequest.check(path: "/tmp/a b.mp4", name: "a b.mp4", config: IngestConfig())
        XCTAssertEqual(try JSONCoding.decode(MediaChildRequest.self, from: Data(try JSONCoding.text(request).utf8)), request)
    }

    func testDecode_wrongTypesAndMissingMembers_failNamingThePath() throws {
        var value = try JSONCoding.encode(sample)
        guard case .object(var members) = value else { return XCTFail() }
        members = members.map { $0.0 == "count" ? ($0.0, .integer(256)) : $0 }
        value = .object(members)
        XCTAssertThrowsError(try JSONCoding.decode(Sample.self, from: value)) { XCTAssertTrue("\($0)".contains("count"), "\($0)") }
        XCTAssertThrowsError(try JSONCoding.decode(Sample.self, from: .object([("name", .string("x"))]))) {
            XCTAssertTrue("\($0)".contains("missing"), "\($0)")
        }
        XCTAssertThrowsError(try JSONCoding.decode([Int].self, from: Data("[1, 2.5]".utf8)))
        XCTAssertEqual(try JSONCoding.decode([Double].self, from: Data("[1, 2.5]".utf8)), [1, 2.5])
    }

    func testEncode_nonFiniteNumbers_throw() {
        XCTAssertThrowsError(try JSONCoding.encode([Double.nan]))
        XCTAssertThrowsError(try JSONCoding.encode(["x": Double.infinity]))
    }
}
