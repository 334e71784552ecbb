import Foundation
import XCTest
@testable import IngestCore

/// The parent side of isolation without FFmpeg: descriptors, deadline, stop, stderr lines, config keys.
final class ChildProcessTests: XCTestCase {
    func testChild_inheritsOnlyStdio() throws {
        // An fd the test process holds open without O_CLOEXEC must not reach the child.
        let leaked = open("/dev/null", O_RDONLY)
        defer { close(leaked) }
        let child = ChildProcess(executable: "/bin/ls", arguments: ["-1", "/proc/self/fd"], deadlineSeconds: 10)
        let outcome = try child.run(shouldStop: { false }, onStderrLine: { _ in })
        XCTAssertEqual(outcome.termination, .exited(0))
        let fds = String(decoding: outcome.stdout, as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
        // 0, 1, 2 and the descriptor ls opened to read the folder.
        XCTAssertEqual(fds.filter { $0 > 2 }.count, 1, "fds in the child: \(fds)")
    }

    func testChild_pastTheDeadline_isKilledWithSIGKILL() throws {
        let start = Date()
        let child = ChildProcess(executable: "/bin/sleep", arguments: ["30"], deadlineSeconds: 0.5)
        let outcome = try child.run(shouldStop: { false }, onStderrLine: { _ in })
        XCTAssertEqual(outcome.termination, .signaled(SIGKILL, killedAtDeadline: true))
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testChild_whenStopping_isKilled() throws {
        let start = Date()
        let child = ChildProcess(executable: "/bin/sleep", arguments: ["30"], deadlineSeconds: 60)
        let outcome = try child.run(shouldStop: { Date().timeIntervalSince(start) > 0.3 }, onStderrLine: { _ in })
        XCTAssertEqual(outcome.termination, .stopped)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testChild_stderrLines_andSignals() throws {
        let lines = LockedValue<[String]>([])
        let child = ChildProcess(executable: "/bin/sh", arguments: ["-c", "echo one >&2; echo '{\"progress\":0.5}' >&2; kill -SEGV $$"],
                                 deadlineSeconds: 10)
        let outcome = try child.run(shouldStop: { false }, onStderrLine: { line in lines.withValue { $0.append(line) } })
        XCTAssertEqual(outcome.termination, .signaled(SIGSEGV, killedAtDeadline: false))
        XCTAssertEqual(lines.withValue { $0 }, ["one", "{\"progress\":0.5}"])
        XCTAssertEqual(MediaChild.progress(in: "{\"progress\":0.5}"), 0.5)
        XCTAssertNil(MediaChild.progress(in: "[mov @ 0x1] moov atom not found"))
    }

    func testDeathReasons() {
        let limits = MediaChildLimits(config: IngestConfig())
        XCTAssertEqual(limits.describeDeath(signal: SIGKILL, killedAtDeadline: true),
                       "the media worker was killed by signal 9 (SIGKILL) after exceeding the 900 s deadline")
        XCTAssertEqual(limits.describeDeath(signal: SIGXCPU, killedAtDeadline: false),
                       "the media worker was killed by signal 24 (SIGXCPU) after exceeding its CPU-time limit of 1800 s")
        XCTAssertEqual(limits.fileSizeBytes, 2 * 524_288_000 + (64 << 20))
        XCTAssertEqual(limits.addressSpaceBytes, 2 << 30)
        XCTAssertEqual(limits.openFiles, 64)
    }

    func testConfig_mediaLimitKeys_areReadAndValidated() throws {
        let config = try ConfigLoader.parse(Data("""
            {"pipeline": {"mediaDeadlineSeconds": 60, "mediaMemoryLimitBytes": 1073741824, "mediaCpuSeconds": 120,
                          "mediaOutputLimitBytes": 1000000, "mediaOpenFiles": 32}}
            """.utf8))
        XCTAssertEqual(config.pipeline.mediaMemoryLimitBytes, 1 << 30)
        XCTAssertEqual(config.pipeline.mediaCpuSeconds, 120)
        XCTAssertEqual(config.pipeline.effectiveOutputLimitBytes(maxFileSizeBytes: 10), 1_000_000)
        XCTAssertEqual(config.pipeline.mediaOpenFiles, 32)
        XCTAssertThrowsError(try ConfigLoader.parse(Data("""
            {"pipeline": {"mediaMemoryLimitBytes": 1000, "mediaCpuSeconds": 0, "mediaOpenFiles": 3, "mediaOutputLimitBytes": -1}}
            """.utf8))) { error in
            XCTAssertEqual((error as? ConfigError)?.problems.count, 4, "\(error)")
        }
    }
}
