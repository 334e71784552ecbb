import Foundation
import XCTest
@testable import IngestCore

/// What the intake's inotify events ask the next pass to scan (`InboxWatch`): a drop scans its
/// seller folder only, a seller's temporary files wake nothing, and whatever an event cannot name
/// (lost events, a new or vanished folder) asks for the full scan.
final class InboxWatchTests: XCTestCase {
    private var inbox: String!
    private var seller: String { inbox + "/s" }

    override func setUpWithError() throws {
        inbox = NSTemporaryDirectory() + "video-ingest-watch-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: inbox + "/s", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: inbox) }

    private func makeWatch() -> InboxWatch {
        let watch = InboxWatch(inbox: inbox)
        watch.watch(seller)
        return watch
    }

    private func wait(_ watch: InboxWatch, seconds: Double = 2) -> InboxWatch.Wanted {
        watch.wait(until: SystemClock.monotonic() + seconds, settle: 0.01, isStopped: { false })
    }

    private func write(_ path: String) throws { try Data("{}".utf8).write(to: URL(fileURLWithPath: path)) }

    func testTemporaryDotFile_wakesNothing() throws {
        let watch = makeWatch()
        try write(seller + "/.k1.tmp")
        try write(seller + "/notes.txt")
        XCTAssertTrue(wait(watch, seconds: 0.3).isEmpty, "a seller's temporary file is no drop")
    }

    func testDropRenamedIn_scansItsSellerFolderOnly() throws {
        let watch = makeWatch()
        try write(seller + "/.k1.tmp")
        XCTAssertEqual(rename(seller + "/.k1.tmp", seller + "/k1.json"), 0)
        let wanted = wait(watch)
        XCTAssertFalse(wanted.fullScan)
        XCTAssertEqual(wanted.folders, [seller])
    }

    func testUndecodableDropName_wakesItsFolder() throws {
        let watch = makeWatch()
        let path = Array(seller.utf8) + Array("/bad".utf8) + [0xFF] + Array(".json".utf8) + [0]
        let fd = path.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT, 0o600) } }
        XCTAssertGreaterThanOrEqual(fd, 0)
        close(fd)
        XCTAssertEqual(wait(watch).folders, [seller], "the scan refuses it, so its event must wake one")
    }

    func testNewSellerFolder_asksForTheFullScan() throws {
        let watch = makeWatch()
        try FileManager.default.createDirectory(atPath: inbox + "/t", withIntermediateDirectories: false)
        XCTAssertTrue(wait(watch).fullScan)
    }

    func testRemovedSellerFolder_asksForTheFullScan_andIsWatchedAgainWhenRecreated() throws {
        let watch = makeWatch()
        try FileManager.default.removeItem(atPath: seller)
        XCTAssertTrue(wait(watch).fullScan)
        try FileManager.default.createDirectory(atPath: seller, withIntermediateDirectories: false)
        _ = wait(watch, seconds: 0.3)  // the inbox's event for the new folder
        watch.watch(seller)
        try write(seller + "/k2.json")
        XCTAssertEqual(wait(watch).folders, [seller])
    }

    /// More events than the kernel queues (`fs.inotify.max_queued_events`, 16384 by default): the
    /// overflow event stands for every lost one, so only a full scan can find what they named.
    func testQueueOverflow_asksForTheFullScan() throws {
        let watch = makeWatch()
        let limit = Int((try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 16384
        try XCTSkipIf(limit > 100_000, "max_queued_events is \(limit): too many files to overflow it here")
        // Each file brings IN_CREATE and IN_CLOSE_WRITE; dot names, so nothing but the overflow asks for a scan.
        for i in 0...(limit / 2 + 10) {
            let fd = open(seller + "/.f\(i)", O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
            XCTAssertGreaterThanOrEqual(fd, 0)
            close(fd)
        }
        XCTAssertTrue(wait(watch).fullScan)
    }
}
