import Foundation
import HostileMedia
import IngestCore
import TestHTTPServer
import XCTest

/// Hole 7, one answer both ways (docs/ARCHITECTURE.md, "Out of memory"): a source within the
/// contract's limits whose optimization exhausts the media child's memory is the worker's fault
/// (retried with backoff, then `stuck`), never the seller's FAILED; a decompression bomb that the
/// probe can see is `format.invalid` at the check, under the same memory limit.
final class OutOfMemoryEndToEndTests: XCTestCase {
    private var server: TestHTTPServer!
    private var harness: DaemonHarness!
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "video-ingest-oom-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: DaemonHarness.samples + "/h264_60fps_10s.mp4", toPath: folder + "/accepted.mp4")
        try HostileMedia.movWithHugePicture(at: folder + "/bomb.mov", width: 30000, height: 30000, header: true)
        server = try TestHTTPServer()
        server.fileRoot = folder
        // 280 MiB of address space: the check fits, a re-encode's threads and frames do not (the FFmpeg
        // libraries map about 200 MiB before the first frame; the encoder's threads cannot get their stacks).
        // Measured with `prlimit --as` on this file: the probe needs 240-260 MiB, the re-encode 300-320 MiB
        // since the transcode decodes on one thread (MediaKit, branch mem-r5; it needed more than 320 before).
        harness = try DaemonHarness(["pipeline.mediaMemoryLimitBytes": .integer(280 << 20), "pipeline.maxAttempts": .integer(2),
                                     "pipeline.faultBackoffSeconds": .number(0.1),
                                     "limits.allowedFormats": .array([.string("mp4"), .string("mov")])])
        try harness.startDaemon()
    }

    override func tearDownWithError() throws {
        if harness.daemon != nil { XCTAssertEqual(try harness.stopDaemon(), 0) }
        harness = nil
        server.stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func drop(_ name: String) throws -> String {
        try harness.drop(seller: "s", key: name, body: DaemonHarness.body(url: server.url("/files/" + name)))
        return try harness.videoId(try harness.waitForReceipt(seller: "s", key: name))
    }

    func testOptimizationOutOfMemory_onAnAcceptedSource_isAWorkerFault_retriedThenStuck_neverFailed() throws {
        let id = try drop("accepted.mp4")
        var doc: JSONValue?
        try harness.waitUntil("the job is stuck", timeout: 90) {
            doc = harness.statusFile(id)
            XCTAssertNotEqual(doc?["status"], .string("FAILED"), "out of memory is never the seller's failure: \(doc?.compact ?? "")")
            return doc?["stage"] == .string("stuck") || doc?["status"] == .string("FAILED")
        }
        XCTAssertEqual(doc?["status"], .string("IN_PROGRESS"))
        XCTAssertEqual(doc?["errorCode"], .null)
        XCTAssertTrue(doc?["errorMessage"]?.stringValue?.contains("ran out of memory") ?? false, doc?.compact ?? "")
        XCTAssertEqual(harness.logLines().filter { $0.contains("worker fault; retrying") }.count, 1, "retried once with backoff, then stuck")
        XCTAssertEqual(harness.logLines().filter { $0.contains("retrying the job once") }.count, 0, "not counted as a media crash")
    }

    func testADecompressionBombTheProbeSees_isFormatInvalid() throws {
        let doc = try harness.waitForFinalStatus(try drop("bomb.mov"))
        XCTAssertEqual(doc["status"], .string("FAILED"), doc.compact)
        XCTAssertEqual(doc["errorCode"], .string("seller.integration.video.format.invalid"))
    }
}
