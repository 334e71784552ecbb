import Foundation
import IngestCore
import TestHTTPServer
import XCTest

/// The job state machine through the real daemon (issue 10): cancel on delete, stuck and retry,
/// a daemon running as PID 1, and a rendition made durable before SUCCESS.
final class JobLifecycleEndToEndTests: XCTestCase {
    private var server: TestHTTPServer!
    private var harness: DaemonHarness!

    override func setUpWithError() throws {
        server = try TestHTTPServer()
        server.fileRoot = DaemonHarness.samples
    }

    override func tearDownWithError() throws {
        if let harness, harness.daemon != nil { _ = try? harness.stopDaemon() }
        harness = nil
        server.stop()
    }

    private func drop(_ file: String = "h264_aac_10s.mp4", key: String = "k") throws -> String {
        try harness.drop(seller: "s", key: key, body: DaemonHarness.body(url: server.url("/files/" + file)))
        return try harness.videoId(try harness.waitForReceipt(seller: "s", key: key))
    }

    /// Hole 2: `delete` of a video whose media child is running kills the child, removes the
    /// scratch folder, and nothing changes the video after the delete. (On the old code the job
    /// ran on and published the media of the deleted video.)
    func testDeleteWhileTheMediaChildRuns_killsIt_removesScratch_andNothingChangesAfterwards() throws {
        harness = try DaemonHarness(["pipeline.mediaDeadlineSeconds": .integer(600)])
        try harness.startDaemon(environment: [MediaChildCommand.testHookVariable: "hang"])
        let id = try drop()
        try harness.waitUntil("a media child runs", timeout: 30) { !MediaIsolationEndToEndTests.workingMediaChildren(of: harness.root).isEmpty }
        let deleted = try harness.cli(["delete", id])
        XCTAssertEqual(deleted.status, 0, deleted.stderr)
        let afterDelete = try harness.statusCommand(id)
        // The job's child is killed; the fork server waits on.
        try harness.waitUntil("the child is killed", timeout: 5) { MediaIsolationEndToEndTests.workingMediaChildren(of: harness.root).isEmpty }
        try harness.waitUntil("the scratch folder is removed", timeout: 5) {
            !FileManager.default.fileExists(atPath: harness.spool + "/scratch/\(id)")
        }
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertEqual(try harness.statusCommand(id), afterDelete, "no status change after the delete")
        XCTAssertEqual(harness.statusFile(id), afterDelete)
        XCTAssertFalse(FileManager.default.fileExists(atPath: harness.spool + "/media/\(id)"))
        XCTAssertTrue(harness.logLines().contains { $0.contains("job is cancelled") }, harness.logLines().suffix(5).joined(separator: "\n"))
        XCTAssertTrue(harness.daemon?.isRunning ?? false)
    }

    /// Hole 3: repeated worker faults (the scratch disk full) park the job `stuck` after
    /// `pipeline.maxAttempts`: IN_PROGRESS, stage "stuck", the fault as errorMessage, listed by
    /// `list --stuck` and logged; `retry ID` requeues it and it succeeds.
    func testRepeatedWorkerFaults_parkTheJobStuck_listStuckShowsIt_andRetryFinishesIt() throws {
        harness = try DaemonHarness(["pipeline.maxAttempts": .integer(2), "pipeline.faultBackoffSeconds": .number(0.1)])
        try harness.startDaemon(environment: [WriteFaults.environmentVariable: "ENOSPC:source.part:2"])
        let id = try drop()
        var stuck: JSONValue?
        try harness.waitUntil("the job is stuck", timeout: 60) {
            stuck = harness.statusFile(id)
            return stuck?["stage"] == .string("stuck")
        }
        XCTAssertEqual(stuck?["status"], .string("IN_PROGRESS"))
        XCTAssertEqual(stuck?["errorCode"], .null)
        XCTAssertTrue(stuck?["errorMessage"]?.stringValue?.contains("No space left on device") ?? false, stuck?.compact ?? "")
        XCTAssertTrue(harness.logLines().contains { $0.contains("job stuck after 2 worker faults") })
        Thread.sleep(forTimeInterval: 1)
        XCTAssertEqual(harness.statusFile(id)?["stage"], .string("stuck"), "parked: no third attempt")

        let listed = try harness.cli(["list", "--stuck"])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let items = try JSONParser.parse(Data(listed.stdout.utf8))["data"]
        XCTAssertEqual(items, .array([try harness.statusCommand(id)]))
        let other = try drop("no_audio_10s.mp4", key: "other")
        XCTAssertEqual(try harness.waitForFinalStatus(other)["status"], .string("SUCCESS"))
        XCTAssertEqual(try JSONParser.parse(Data(try harness.cli(["list", "--stuck"]).stdout.utf8))["meta"]?["total"], .integer(1))

        let retried = try harness.cli(["retry", id])
        XCTAssertEqual(retried.status, 0, retried.stderr)
        XCTAssertEqual(try harness.waitForFinalStatus(id)["status"], .string("SUCCESS"))
        XCTAssertNotEqual(try harness.cli(["retry", id]).status, 0, "only a stuck job can be retried")
    }

    /// Hole 6: a daemon that is PID 1 (a container without an init). The old media child
    /// returned 1 when getppid() == 1, so every video FAILED with format.invalid.
    func testDaemonRunningAsPID1_processesVideos() throws {
        harness = try DaemonHarness()
        try harness.startDaemon(launcher: ["/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL"])
        XCTAssertTrue(harness.logLines().contains { $0.contains("daemon started") && $0.contains("\"pid\":1,") || $0.contains("\"pid\":1}") },
                      "the daemon is PID 1: \(harness.logLines().suffix(3))")
        let doc = try harness.waitForFinalStatus(try drop())
        XCTAssertEqual(doc["status"], .string("SUCCESS"), doc.compact)
        // Stop the daemon itself (unshare's child), then unshare follows.
        let unshare = try XCTUnwrap(harness.daemon).processIdentifier
        let children = (try? String(contentsOfFile: "/proc/\(unshare)/task/\(unshare)/children", encoding: .utf8)) ?? ""
        let daemonPid = try XCTUnwrap(children.split(separator: " ").first.flatMap { Int32($0) })
        kill(daemonPid, SIGTERM)
        try harness.waitForDaemonExit(timeout: 30)
    }

    /// Hole 5: the rendition's data and its folder are fsynced before the SUCCESS commit (the
    /// WAL fsync between them and the final status file), so a power cut cannot leave a SUCCESS
    /// whose file is empty. strace is attached to the real daemon.
    func testRenditionAndItsFolder_areFsyncedBeforeTheSuccessCommit() throws {
        harness = try DaemonHarness(["workers": .integer(1)])
        try harness.startDaemon()
        let pid = try XCTUnwrap(harness.daemon).processIdentifier
        let trace = harness.root + "/fsync.trace"
        let strace = Process()
        strace.executableURL = URL(fileURLWithPath: "/usr/bin/strace")
        strace.arguments = ["-f", "-qq", "-y", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2", "-o", trace, "-p", "\(pid)"]
        strace.standardError = FileHandle.nullDevice
        try strace.run()
        defer { if strace.isRunning { strace.interrupt(); strace.waitUntilExit() } }
        try harness.waitUntil("strace is attached", timeout: 10) {
            ((try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? "").contains { _ in true }
                && !((try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? "").contains("TracerPid:\t0\n")
        }
        let id = try drop()
        XCTAssertEqual(try harness.waitForFinalStatus(id)["status"], .string("SUCCESS"))
        try harness.waitUntil("the status file is marked written", timeout: 10) { harness.statusFile(id) != nil }
        Thread.sleep(forTimeInterval: 0.5)
        strace.interrupt()
        strace.waitUntilExit()
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        let media = "/media/\(id)"
        let fileSync = lines.lastIndex { $0.contains("fsync(") && $0.contains(media + "/video_hd.mp4>") }
        let folderSync = lines.lastIndex { $0.contains("fsync(") && $0.contains(media + ">") }
        let lastStatus = lines.lastIndex { $0.contains("rename") && $0.contains("status/\(id).json\"") }
        let file = try XCTUnwrap(fileSync, "the rendition is never fsynced")
        let folder = try XCTUnwrap(folderSync, "media/\(id) is never fsynced")
        let status = try XCTUnwrap(lastStatus)
        let relevant = lines[max(file, folder)...].prefix(40).joined(separator: "\n")
        XCTAssertLessThan(max(file, folder), status, relevant)
        let commit = lines[max(file, folder)..<status].firstIndex { $0.contains("sync(") && $0.contains("ingest.sqlite-wal>") }
        XCTAssertNotNil(commit, "the SUCCESS commit (a WAL fsync) comes after both fsyncs:\n\(relevant)")
    }
}
