import Foundation
import XCTest
@testable import IngestCore

/// `MediaForkServer` with the real media executable: each child is a fresh process forked by the
/// server, holding only its three pipes; its status comes through the server; one killed is seen as
/// killed; a server killed takes its children with it and is replaced at the next `take`; `stopAll`
/// leaves nothing.
final class MediaForkServerTests: XCTestCase {
    private var servers: [MediaForkServer] = []

    override func tearDown() {
        servers.forEach { $0.stopAll() }
        servers = []
    }

    private func makeServer() -> (MediaForkServer, String) {
        let label = "fork-test-" + UUID().uuidString.prefix(8)
        let server = MediaForkServer(executable: DaemonHarness.mediaBinary, label: String(label))
        servers.append(server)
        return (server, String(label))
    }

    private static func parent(of pid: pid_t) -> pid_t? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }

    private static func descriptors(of pid: pid_t) -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).compactMap { Int($0) }.sorted()
    }

    /// Polls `condition` every 20 ms for up to 5 s.
    private func eventually(_ what: String, _ condition: () -> Bool) {
        for _ in 0..<250 where !condition() { usleep(20_000) }
        XCTAssertTrue(condition(), what)
    }

    func testChildren_areForkedByTheServer_holdOnlyTheirPipes_andReportTheirStatus() throws {
        let (pool, label) = makeServer()
        let first = try pool.take()
        let serverPid = try XCTUnwrap(pool.serverPid)
        XCTAssertNotEqual(first.pid, serverPid)
        XCTAssertEqual(Self.parent(of: first.pid), serverPid, "the server forked it")
        let cmdline = (try? String(contentsOfFile: "/proc/\(serverPid)/cmdline", encoding: .utf8)) ?? ""
        XCTAssertTrue(cmdline.contains("media-child\u{0}server\u{0}\(getpid())\u{0}\(label)"), cmdline.debugDescription)
        eventually("the child closed everything of the server's but its pipes") { Self.descriptors(of: first.pid) == [0, 1, 2] }

        let second = try pool.take()
        XCTAssertNotEqual(second.pid, first.pid)
        XCTAssertEqual(pool.serverPid, serverPid, "one server forks them all")
        // One request, then the child exits: an empty request (stdin closed) ends it with status 0.
        XCTAssertTrue(first.sendAndClose(Data()))
        XCTAssertEqual(first.wait(block: true).map { ($0 >> 8) & 0xff }, 0)
        XCTAssertFalse(first.serverLost)

        second.kill9()
        let status = try XCTUnwrap(second.wait(block: true))
        XCTAssertEqual(status & 0x7f, SIGKILL, "killed through its pidfd, reported by the server")
        XCTAssertFalse(second.isAlive)
        XCTAssertFalse(second.serverLost)
    }

    func testServerKilledWithSIGKILL_takesItsChildren_andIsReplacedAtTheNextTake() throws {
        let (pool, _) = makeServer()
        let waiting = try pool.take()
        let serverPid = try XCTUnwrap(pool.serverPid)
        XCTAssertEqual(kill(serverPid, SIGKILL), 0)
        let status = try XCTUnwrap(waiting.wait(block: true))
        XCTAssertEqual(status & 0x7f, SIGKILL)
        XCTAssertTrue(waiting.serverLost, "the status pipe ended without a status")
        eventually("the waiting child died with its server") { !MediaForkServerEndToEndTests.isRunning(waiting.pid) }

        let next = try pool.take()
        let replacement = try XCTUnwrap(pool.serverPid)
        XCTAssertNotEqual(replacement, serverPid)
        XCTAssertEqual(Self.parent(of: next.pid), replacement)
        XCTAssertTrue(next.sendAndClose(Data()))
        XCTAssertEqual(next.wait(block: true).map { ($0 >> 8) & 0xff }, 0)
    }

    func testStopAll_killsTheServerAndItsChildren_andNoneIsTakenAfterwards() throws {
        let (pool, label) = makeServer()
        let waiting = try pool.take()
        let serverPid = try XCTUnwrap(pool.serverPid)
        pool.stopAll()
        XCTAssertFalse(MediaForkServerEndToEndTests.isRunning(serverPid), "stopAll killed and reaped the server")
        eventually("the waiting child died with the server") { !MediaForkServerEndToEndTests.isRunning(waiting.pid) }
        XCTAssertThrowsError(try pool.take())
        eventually("no process of this server is left") { MediaIsolationEndToEndTests.mediaChildren(of: label).isEmpty }
    }

    func testAServerThatCannotStart_fallsBackToASpawnedChild() throws {
        // A media executable whose server form exits at once; the other forms are the real ones.
        let script = NSTemporaryDirectory() + "fork-test-" + UUID().uuidString.prefix(8) + ".sh"
        try "#!/bin/sh\n[ \"$2\" = server ] && exit 1\nexec \(DaemonHarness.mediaBinary) \"$@\"\n".write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        XCTAssertEqual(chmod(script, 0o755), 0)
        let pool = MediaForkServer(executable: script, label: "fork-test-fallback")
        servers.append(pool)
        let child = try pool.take()
        XCTAssertNil(pool.serverPid, "no server runs")
        XCTAssertEqual(Self.parent(of: child.pid), getpid(), "spawned by this process")
        XCTAssertTrue(child.sendAndClose(Data()))
        XCTAssertEqual(child.wait(block: true).map { ($0 >> 8) & 0xff }, 0)
    }
}
