import Foundation
import IngestStore
import XCTest
@testable import IngestCore

/// Hole 4: status files written by several processes (the daemon and the CLI) never go stale.
/// Every writer takes `state/status.lock` for its snapshot, file and mark, and writes only a
/// version newer than the one recorded, so the newest document wins whichever process is slower.
final class StatusFileVersionTests: XCTestCase {
    func testACLIWriter_waitsForTheStatusLock_andTheNewestDocumentWins() throws {
        let pipeline = try InProcessPipeline()
        let id = try pipeline.createVideo()
        let lease = try XCTUnwrap(pipeline.claim(id)?.lease)
        let before = try XCTUnwrap(pipeline.statusFile(id))

        // This process plays the daemon's writer: it holds the status lock.
        let fd = open(pipeline.layout.statusLockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        XCTAssertEqual(flock(fd, LOCK_EX), 0)

        let cli = Process()
        cli.executableURL = URL(fileURLWithPath: DaemonHarness.binary)
        cli.arguments = ["reject", id, "--reason", "off-topic", "--spool", pipeline.layout.root]
        cli.standardOutput = FileHandle.nullDevice
        cli.standardError = FileHandle.nullDevice
        try cli.run()
        let deadline = Date().addingTimeInterval(20)
        while try pipeline.video(id).approval != .rejected && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertEqual(try pipeline.video(id).approval, .rejected, "the CLI committed its change")
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertTrue(cli.isRunning, "the CLI waits for the status lock")
        XCTAssertEqual(pipeline.statusFile(id), before, "no status file is written while another process holds the lock")

        // The daemon's newer change and its file, written under the lock.
        try pipeline.store.setProgress(lease, stage: "optimize", progress: 0.5)
        let (newest, version, _) = try XCTUnwrap(pipeline.store.statusDocument(id: id, origin: VideoOrigin.embeddedSpool))
        try AtomicFile.writeJSON(StatusDocument.json(newest), to: pipeline.layout.statusFile(videoId: id))
        try pipeline.store.markStatusWritten(videoId: id, origin: VideoOrigin.embeddedSpool, version: version)
        XCTAssertEqual(flock(fd, LOCK_UN), 0)

        cli.waitUntilExit()
        XCTAssertEqual(cli.terminationStatus, 0)
        XCTAssertEqual(pipeline.statusFile(id), StatusDocument.json(try pipeline.video(id)), "the file holds the newest document")
        XCTAssertEqual(pipeline.statusFile(id)?["progress"], .number(0.5))
        XCTAssertEqual(try pipeline.store.staleStatusVideoIds(origin: VideoOrigin.embeddedSpool), [])
    }

    /// A writer whose snapshot is not newer than the recorded version leaves the file alone.
    func testStatusWriter_skipsAVersionTheFileAlreadyHolds() throws {
        let pipeline = try InProcessPipeline()
        let id = try pipeline.createVideo()
        try "sentinel".write(toFile: pipeline.layout.statusFile(videoId: id), atomically: true, encoding: .utf8)
        try pipeline.statusWriter.write(videoIds: [id])
        XCTAssertEqual(try String(contentsOfFile: pipeline.layout.statusFile(videoId: id), encoding: .utf8), "sentinel")
    }
}
