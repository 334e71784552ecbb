import Foundation
import XCTest
@testable import MediaKit

/// Inputs found by `make fuzz` (Fuzz/probe, Fuzz/sniff) that crashed, kept as regression tests.
/// Each test feeds the exact crashing input (the bytes libFuzzer wrote, in hex).
final class FuzzRegressionTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "mediakit-fuzz-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    private func file(_ hex: String) throws -> String {
        var bytes: [UInt8] = []
        var digits = hex.filter { !$0.isWhitespace }[...]
        while !digits.isEmpty {
            bytes.append(try XCTUnwrap(UInt8(digits.prefix(2), radix: 16)))
            digits = digits.dropFirst(2)
        }
        let path = folder + "/input"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// crash-0f6e4c5e3bbe6d1f3113d54e30bd5c2c3fc10d34: a `wide` atom, then an atom with a 64-bit size
    /// of 0xbc0000082252_62c0. AtomScanner added it to its offset and FileHandle.seek(toOffset:)
    /// trapped on an offset past Int64.max. Now the scan ends there: not faststart, no crash.
    func testFuzz_probe_hugeLargeSizeAtom_endsTheScanInsteadOfTrapping() throws {
        let path = try file("00000008 77696465 00000001 00000000 bc000008 225262c0 11ff")
        XCTAssertEqual(FormatSniffer.sniff(try Data(contentsOf: URL(fileURLWithPath: path))), .mov)
        XCTAssertFalse(AtomScanner.moovBeforeMdat(path: path))
        XCTAssertThrowsError(try MediaProbe.probe(path: path, format: .mov))
    }

    /// The same fault by addition overflow: an ftyp, then a 64-bit size of 2^64 - 16 (the sum wraps).
    func testAtomScanner_largeSizeThatWouldOverflowTheOffset_endsTheScan() throws {
        let path = try file("00000018 66747970 69736f6d 00000200 69736f6d 69736f32 00000001 66726565 fffffffffffffff0 00000008 6d6f6f76")
        XCTAssertFalse(AtomScanner.moovBeforeMdat(path: path))
    }
}
