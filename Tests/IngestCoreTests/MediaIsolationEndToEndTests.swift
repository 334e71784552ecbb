import Foundation
import HostileMedia
import IngestCore
import MediaKit
import TestHTTPServer
import XCTest

/// Media work in a child process (docs/ARCHITECTURE.md, "Isolation"): hostile files end FAILED with the
/// contract's code without reading any other file or opening a socket; a child that crashes or hangs is
/// retried once, then FAILED; the daemon goes on.
final class MediaIsolationEndToEndTests: XCTestCase {
    private var server: TestHTTPServer!
    private var blocked: TestHTTPServer!
    private var harness: DaemonHarness!
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "video-ingest-hostile-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        server = try TestHTTPServer()
        server.fileRoot = folder
        blocked = try TestHTTPServer(host: "127.0.0.2")
        try FileManager.default.copyItem(atPath: DaemonHarness.samples + "/h264_aac_10s.mp4", toPath: folder + "/good.mp4")
    }

    override func tearDownWithError() throws {
        if let harness, harness.daemon != nil { XCTAssertEqual(try harness.stopDaemon(), 0) }
        harness = nil
        server.stop()
        blocked.stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    private var fifo: String { folder + "/secret.fifo" }

    /// Writes every hostile file into the served folder; returns (name, expected errorCode or nil for SUCCESS).
    private func makeHostileFiles() throws -> [(String, String?)] {
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let invalid = "seller.integration.video.format.invalid"
        try HostileMedia.aviWithPlaylist(url: blocked.url("/segment.ts")).write(to: URL(fileURLWithPath: folder + "/avi-hls.mp4"))
        try HostileMedia.aviWithPlaylist(url: "file://" + fifo).write(to: URL(fileURLWithPath: folder + "/avi-file.avi"))
        try Data(HostileMedia.playlist(url: blocked.url("/segment.ts")).utf8).write(to: URL(fileURLWithPath: folder + "/playlist.m3u8"))
        try Data(HostileMedia.ffconcat(path: fifo, url: blocked.url("/x.mp4")).utf8).write(to: URL(fileURLWithPath: folder + "/concat.mp4"))
        try Data().write(to: URL(fileURLWithPath: folder + "/empty.mp4"))
        try HostileMedia.mp4WithAbsoluteDref(at: folder + "/dref.mp4", target: fifo)
        try HostileMedia.movWithHugePicture(at: folder + "/huge.mov", width: 30000, height: 30000, header: true)
        try HostileMedia.mp4WithManyTracks(at: folder + "/tracks.mp4", count: 3000)
        try HostileMedia.mp4WithLyingDuration(at: folder + "/lying.mp4", claimedSeconds: 10, actualSeconds: 200)
        return [("avi-hls.mp4", invalid), ("avi-file.avi", invalid), ("playlist.m3u8", invalid), ("concat.mp4", invalid),
                ("empty.mp4", invalid), ("dref.mp4", invalid), ("huge.mov", invalid), ("tracks.mp4", invalid),
                // The header claims 10 s, the samples run 200 s: the streams decide (CONTRACT section 4).
                ("lying.mp4", "seller.integration.video.duration.invalid")]
    }

    /// Nobody holds the FIFO open for reading (an FFmpeg that followed a reference would block on it).
    private func assertFifoNeverOpened(file: StaticString = #filePath, line: UInt = #line) {
        let fd = open(fifo, O_WRONLY | O_NONBLOCK)
        XCTAssertEqual(fd, -1, "a reader has the FIFO open", file: file, line: line)
        XCTAssertEqual(errno, ENXIO, file: file, line: line)
        if fd >= 0 { close(fd) }
    }

    private func dropAndWait(_ names: [String], seller: String = "s") throws -> [String: JSONValue] {
        var ids: [(String, String)] = []
        for (i, name) in names.enumerated() {
            try harness.drop(seller: seller, key: "k\(i)", body: DaemonHarness.body(url: server.url("/files/" + name)))
            ids.append((name, try harness.videoId(try harness.waitForReceipt(seller: seller, key: "k\(i)"))))
        }
        var docs: [String: JSONValue] = [:]
        for (name, id) in ids { docs[name] = try harness.waitForFinalStatus(id, timeout: 120) }
        return docs
    }

    func testHostileFiles_endWithTheirCodes_touchNothingElse_andTheDaemonGoesOn() throws {
        let cases = try makeHostileFiles()
        harness = try DaemonHarness(["pipeline.mediaDeadlineSeconds": .integer(30), "optimization.maxFrameRate": .integer(5)])
        try harness.startDaemon()
        let docs = try dropAndWait(cases.map(\.0) + ["good.mp4"])
        for (name, code) in cases {
            let doc = try XCTUnwrap(docs[name])
            XCTAssertEqual(doc["status"], .string(code == nil ? "SUCCESS" : "FAILED"), "\(name): \(doc.compact)")
            XCTAssertEqual(doc["errorCode"], code.map(JSONValue.string) ?? .null, name)
            XCTAssertFalse(doc["errorMessage"]?.stringValue?.contains("media worker") ?? false, "\(name): no child died: \(doc.compact)")
        }
        XCTAssertEqual(docs["good.mp4"]?["status"], .string("SUCCESS"))
        XCTAssertEqual(blocked.connectionCount, 0, "no socket reached the address the files name")
        assertFifoNeverOpened()
        XCTAssertTrue(harness.daemon?.isRunning ?? false)
    }

    func testHostileFiles_underStrace_openOnlyTheirOwnFile_andNoSocket() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else { throw XCTSkip("strace is not installed") }
        let cases = try makeHostileFiles()
        harness = try DaemonHarness()
        for (name, code) in cases {
            let request = JSONValue.object([
                ("path", .string(folder + "/" + name)), ("name", .string(name)),
                ("limits", .object([("maxFileSizeBytes", .integer(100_000_000)), ("minDurationSeconds", .integer(8)),
                                    ("maxDurationSeconds", .integer(120)), ("allowedFormats", .array([.string("mp4"), .string("mov"), .string("avi")]))])),
                ("resources", .object([("addressSpaceBytes", .integer(2 << 30)), ("cpuSeconds", .integer(60)),
                                       ("fileSizeBytes", .integer(1 << 30)), ("openFiles", .integer(64)), ("deadlineSeconds", .integer(30))])),
            ]).compact
            let trace = folder + "/\(name).strace"
            let result = try harness.run(["-f", "-e", "trace=openat,open,connect,socket", "-o", trace,
                                          DaemonHarness.mediaBinary, "media-child", "check", request], executable: "/usr/bin/strace", timeout: 30)
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
            let answer = try JSONParser.parse(Data(result.stdout.utf8))
            XCTAssertEqual(answer["failure"]?["code"]?.stringValue, code, name)
            let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
            XCTAssertFalse(lines.contains { $0.contains("connect(") || $0.contains("socket(") }, "\(name) opened a socket")
            // Shared libraries are loaded before main; everything else the child opens must be its own file.
            let opened = lines.filter { ($0.contains("openat(") || $0.contains("open(")) && !$0.contains("ENOENT")
                && !$0.contains(".so\"") && !$0.contains(".so.") }
            let foreign = opened.filter { line in
                !line.contains("\"\(folder!)/\(name)\"") && !["/lib", "/usr/lib", "/etc/ld.so", "/proc/", "/sys/", "/dev/null"].contains { line.contains("\"" + $0) }
            }
            XCTAssertEqual(foreign, [], "\(name) opened other files")
        }
        assertFifoNeverOpened()
    }

    func testChildCrash_isRetriedOnce_thenFailed_withTheReason() throws {
        harness = try DaemonHarness()
        try harness.startDaemon(environment: [MediaChildCommand.testHookVariable: "crash"])
        let doc = try XCTUnwrap(try dropAndWait(["good.mp4"])["good.mp4"])
        XCTAssertEqual(doc["status"], .string("FAILED"), doc.compact)
        XCTAssertEqual(doc["errorCode"], .string("seller.integration.video.format.invalid"))
        XCTAssertEqual(doc["errorMessage"], .string("the media worker was killed by signal 6 (SIGABRT)"))
        XCTAssertEqual(harness.logLines().filter { $0.contains("retrying the job once") }.count, 1, "one retry, then FAILED")
        XCTAssertTrue(harness.daemon?.isRunning ?? false)
    }

    func testChildHang_isKilledAtTheDeadline_retriedOnce_thenFailed() throws {
        harness = try DaemonHarness(["pipeline.mediaDeadlineSeconds": .integer(1)])
        try harness.startDaemon(environment: [MediaChildCommand.testHookVariable: "hang"])
        let doc = try XCTUnwrap(try dropAndWait(["good.mp4"])["good.mp4"])
        XCTAssertEqual(doc["status"], .string("FAILED"), doc.compact)
        XCTAssertEqual(doc["errorCode"], .string("seller.integration.video.format.invalid"))
        XCTAssertEqual(doc["errorMessage"], .string("the media worker was killed by signal 9 (SIGKILL) after exceeding the 1 s deadline"))
        XCTAssertTrue(harness.daemon?.isRunning ?? false)
    }

    func testChildCrashOnce_isRetried_andSucceeds() throws {
        harness = try DaemonHarness()
        let marker = folder + "/crashed-once"
        try harness.startDaemon(environment: [MediaChildCommand.testHookVariable: "crash-once:" + marker])
        let doc = try XCTUnwrap(try dropAndWait(["good.mp4"])["good.mp4"])
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.compact)
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker), "the first child did crash")
        XCTAssertEqual(harness.logLines().filter { $0.contains("retrying the job once") }.count, 1)
    }

    func testStop_killsTheChild_andTheJobGoesBackToTheQueue() throws {
        harness = try DaemonHarness(["pipeline.mediaDeadlineSeconds": .integer(600)])
        try harness.startDaemon(environment: [MediaChildCommand.testHookVariable: "hang"])
        try harness.drop(seller: "s", key: "k", body: DaemonHarness.body(url: server.url("/files/good.mp4")))
        let id = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "k"))
        try harness.waitUntil("a media child runs", timeout: 20) { !Self.workingMediaChildren(of: harness.root).isEmpty }
        let start = Date()
        XCTAssertEqual(try harness.stopDaemon(), 0)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10, "the daemon does not wait for the child")
        XCTAssertEqual(Self.mediaChildren(of: harness.root), [], "the child was killed")
        let doc = try harness.statusCommand(id)
        XCTAssertEqual(doc["status"], .string("IN_PROGRESS"), "back in the queue, not failed: \(doc.compact)")
        XCTAssertTrue(harness.logLines().contains { $0.contains("job returned to the queue") })
    }

    /// Pids of live media children of `root` that have a job's request (their process name is
    /// `media-job`); the fork server, and a child waiting for a request, do not.
    static func workingMediaChildren(of root: String) -> [Int32] {
        mediaChildren(of: root).filter { pid in
            (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.hasPrefix("media-job") ?? false
        }
    }

    /// Pids of live `media-child` processes whose command line (the fork server's and its children's name the spool) or
    /// request names a path under `root`.
    static func mediaChildren(of root: String) -> [Int32] {
        let marker = (root as NSString).lastPathComponent
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { (entry: String) -> Int32? in
            guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            let cmdline = String(decoding: data, as: UTF8.self)
            guard cmdline.contains("media-child"), cmdline.contains(marker) else { return nil }
            let stat = (try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8)) ?? ""
            return stat.contains(") Z ") ? nil : pid
        }
    }
}
