import Foundation
import IngestCore
import TestHTTPServer
import XCTest

/// The spool's modes do not depend on the umask the service was started with: folders the service
/// creates are 0750 and files it writes 0640 (docs/SECURITY.md), under umask 000 (nothing masked:
/// without a fix, world-writable files) and 077 (everything masked: the group could read nothing).
final class SpoolPermissionTests: XCTestCase {
    private var server: TestHTTPServer!

    override func setUpWithError() throws {
        server = try TestHTTPServer()
        server.fileRoot = DaemonHarness.samples
    }

    override func tearDownWithError() throws { server.stop() }

    func testSpoolModes_underUmask000() throws { try checkSpoolModes(umask: 0o000) }

    func testSpoolModes_underUmask077() throws { try checkSpoolModes(umask: 0o077) }

    func testAtomicFile_writesExactModes_whateverTheUmask() throws {
        let root = NSTemporaryDirectory() + "video-ingest-modes-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for mask: mode_t in [0o000, 0o077, 0o027] {
            let previous = umask(mask)
            defer { umask(previous) }
            let path = root + "/u\(String(mask, radix: 8))/a/b/file.json"
            try AtomicFile.write(Data("{}".utf8), to: path)
            XCTAssertEqual(mode(of: path), 0o640, "file under umask \(String(mask, radix: 8))")
            for folder in [root + "/u\(String(mask, radix: 8))", root + "/u\(String(mask, radix: 8))/a", root + "/u\(String(mask, radix: 8))/a/b"] {
                XCTAssertEqual(mode(of: folder), 0o750, "\(folder) under umask \(String(mask, radix: 8))")
            }
        }
    }

    /// Runs the daemon and the CLI under `mask`: one video to SUCCESS, one refused drop, one `enqueue`;
    /// then every folder the service made must be 0750 and every file it wrote 0640.
    private func checkSpoolModes(umask mask: mode_t) throws {
        let harness = try DaemonHarness()
        let previous = umask(mask) // inherited by the daemon and CLI processes the harness starts
        defer { umask(previous) }
        try harness.startDaemon()

        try harness.drop(seller: "seller-1", key: "good", body: DaemonHarness.body(url: server.url("/files/h264_aac_10s.mp4")))
        try harness.drop(seller: "seller-1", key: "bad", body: #"{"title": "x"}"#)
        let id = try harness.videoId(try harness.waitForReceipt(seller: "seller-1", key: "good"))
        _ = try harness.waitForReceipt(seller: "seller-1", key: "bad")
        let requestFile = harness.root + "/request.json"
        try Data(DaemonHarness.body(url: server.url("/files/h264_aac_10s.mp4")).utf8).write(to: URL(fileURLWithPath: requestFile))
        let enqueued = try harness.cli(["enqueue", "--seller", "seller-2", "--key", "cli-1", requestFile])
        XCTAssertEqual(enqueued.status, 0, enqueued.stderr)
        XCTAssertEqual(try harness.waitForFinalStatus(id)["status"], .string("SUCCESS"))
        XCTAssertEqual(try harness.stopDaemon(), 0)

        let spool = harness.spool
        var checkedFiles = 0
        XCTAssertEqual(mode(of: spool), 0o750, "var/ under umask \(String(mask, radix: 8))")
        let walker = try XCTUnwrap(FileManager.default.enumerator(atPath: spool))
        while let relative = walker.nextObject() as? String {
            let parts = relative.split(separator: "/")
            // inbox/<seller>/ and its files belong to the writer; rejected/<seller>/<key>.json is the
            // writer's own file moved as it was.
            if parts.count >= 2 && parts[0] == "inbox" { continue }
            if parts.count >= 3 && parts[0] == "rejected" { continue }
            let path = spool + "/" + relative
            var info = stat()
            XCTAssertEqual(lstat(path, &info), 0, path)
            if info.st_mode & S_IFMT == S_IFDIR {
                XCTAssertEqual(info.st_mode & 0o7777, 0o750, "folder \(relative) under umask \(String(mask, radix: 8))")
            } else {
                XCTAssertEqual(info.st_mode & 0o7777, 0o640, "file \(relative) under umask \(String(mask, radix: 8))")
                checkedFiles += 1
            }
        }
        for required in ["receipts/seller-1/good.json", "receipts/seller-1/bad.json", "status/\(id).json",
                         "media/\(id)/video_hd.mp4", "state/ingest.sqlite"] {
            XCTAssertEqual(mode(of: spool + "/" + required), 0o640, required)
        }
        XCTAssertGreaterThanOrEqual(checkedFiles, 6)
    }

    private func mode(of path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }
}
