import Foundation
import XCTest
import IngestCrypto
@testable import IngestDownload

/// The sink's buffering: whatever sizes the transfer hands it (curl's pieces straddle the write
/// size and the hashing buffers at any offset), the file and the digest are the body, in order.
final class FileSinkTests: XCTestCase {
    private var path: String!

    override func setUp() { path = NSTemporaryDirectory() + "video-ingest-sink-" + UUID().uuidString.prefix(8) }
    override func tearDown() { unlink(path) }

    private func body(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) } }

    private func feed(_ sink: FileSink, _ bytes: [UInt8], pieces: [Int]) {
        var offset = 0, index = 0
        while offset < bytes.count {
            let n = min(pieces[index % pieces.count], bytes.count - offset)
            bytes.withUnsafeBytes { XCTAssertNil(sink.append($0.baseAddress! + offset, count: n)) }
            offset += n
            index += 1
        }
    }

    func testOddPieces_fileAndDigestAreTheBody() throws {
        let bytes = body(5 * FileSink.bufferSize + 12_345)
        for pieces in [[1], [65_537], [16_384], [FileSink.writeSize - 1, 3], [FileSink.bufferSize + 7], [300_000, 1, 70_001]] {
            let sink = try FileSink(path: path)
            feed(sink, bytes, pieces: pieces)
            XCTAssertEqual(try sink.finish(), SHA256.hex(bytes), "pieces \(pieces)")
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(bytes), "pieces \(pieces)")
        }
    }

    func testTruncate_startsTheFileAndTheDigestOver() throws {
        let sink = try FileSink(path: path)
        feed(sink, body(3 * FileSink.bufferSize + 5), pieces: [40_000])
        XCTAssertNil(sink.flushBuffer())
        try sink.truncate()
        let bytes = Array(body(FileSink.bufferSize + 99).reversed())
        feed(sink, bytes, pieces: [65_536])
        XCTAssertEqual(try sink.finish(), SHA256.hex(bytes))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(bytes))
    }
}
