import Foundation
import IngestStore
import TestHTTPServer
import XCTest
@testable import IngestCore

/// The job state machine in process: the real `JobRunner` on a real SQLite file, with an
/// injected clock (holes 1 and 3 of issue 10).
final class JobStateMachineTests: XCTestCase {
    /// Hole 1: "optimized" recorded, then the scratch folder swept. On the old code publish →
    /// optimize → check → optimize looped for ever (each stage called the previous one and lost
    /// what check returned). Now publish asks to rewind to optimize, optimize to download, and the
    /// runner follows: the video ends SUCCESS after one new download.
    func testScratchSweptAfterOptimized_runnerRewindsToDownload_andTheVideoSucceeds() throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.fileRoot = DaemonHarness.samples
        let pipeline = try InProcessPipeline()
        let id = try pipeline.createVideo(url: server.url("/files/h264_aac_10s.mp4"))
        let first = try XCTUnwrap(pipeline.claim(id))
        let lease = try XCTUnwrap(first.lease)
        let results: [StageResult] = [
            .downloaded(SourceFile(file: "g1/source", sizeBytes: 123, sha256: "00", effectiveUrl: nil)),
            .checked(CheckedSource(format: .mp4, durationSeconds: 10, probe: nil)),
            .optimized(Rendition(folder: "g1/out", hasPoster: true, usedFastPath: false, output: nil)),
        ]
        for r in results {
            try pipeline.store.recordStage(lease, stage: r.stage.rawValue, result: try r.encoded(), marker: r.stage.finishedMarker, videoStage: nil)
        }
        XCTAssertEqual(try pipeline.store.requeueAllRunning(), 1, "the daemon died; its scratch folder is gone too")
        XCTAssertFalse(FileManager.default.fileExists(atPath: pipeline.layout.scratchFolder(videoId: id)))

        let job = try XCTUnwrap(pipeline.claim(id))
        let finished = expectation(description: "the runner returns")
        Thread.detachNewThread {
            pipeline.runner().run(job, isStopping: { false })
            finished.fulfill()
        }
        wait(for: [finished], timeout: 120)
        let video = try pipeline.video(id)
        XCTAssertEqual(video.status, .success, "\(video)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: pipeline.layout.mediaFolder(videoId: id) + "/video_hd.mp4"))
        let stored = StageResults(stored: try pipeline.store.stageResults(jobId: job.id))
        let source = try XCTUnwrap(stored.download)
        XCTAssertEqual(source.file, "g2/source", "downloaded again by the second claim")
        XCTAssertEqual(source.sizeBytes, Int64(try Data(contentsOf: URL(fileURLWithPath: DaemonHarness.samples + "/h264_aac_10s.mp4")).count))
        XCTAssertEqual(source.sha256.count, 64)
        XCTAssertEqual(try XCTUnwrap(stored.check).format, .mp4)
        XCTAssertNotNil(try XCTUnwrap(stored.check).probe, "the check keeps its probe")
        XCTAssertNotNil(try XCTUnwrap(stored.optimize).output, "the optimize stage keeps the output probe")
        XCTAssertEqual(try pipeline.job(id).state, "done")
    }

    /// Hole 1: rewinds are bounded per attempt; past the bound it is a worker fault (retried),
    /// never the seller's FAILED. No stage calls another: only the runner moves between them.
    func testAStageThatAlwaysRewinds_isAWorkerFault_afterTheBound() throws {
        let pipeline = try InProcessPipeline()
        let id = try pipeline.createVideo()
        let calls = LockedValue<[JobStage]>([])
        let stages = ScriptedStages { stage, context, _ in
            calls.withValue { $0.append(stage) }
            switch stage {
            case .download: return .finished(.downloaded(SourceFile(file: "x", sizeBytes: 1, sha256: "00", effectiveUrl: nil)))
            default: return .rewind(to: .download, reason: "the source vanished again")
            }
        }
        let job = try XCTUnwrap(pipeline.claim(id))
        pipeline.runner(stages).run(job, isStopping: { false })
        XCTAssertEqual(calls.withValue { $0 }, [.download, .check, .download, .check, .download, .check, .download, .check])
        let after = try pipeline.job(id)
        XCTAssertEqual(after.state, "available")
        XCTAssertEqual(after.faultAttempts, 1)
        XCTAssertEqual(try pipeline.video(id).status, .inProgress)
        XCTAssertTrue(after.lastError?.contains("rewind") ?? false, after.lastError ?? "")
    }

    /// Hole 3: a wall-clock step of an hour expires no lease (the old rescuer compared
    /// `lease_expires_at` with the wall clock and requeued the running job); a lease whose
    /// heartbeat stops is still rescued after `leaseSeconds` of monotonic time.
    func testWallClockStep_rescuesNothing_butAStoppedHeartbeatIsRescuedOnTheMonotonicClock() throws {
        let pipeline = try InProcessPipeline { $0.store.leaseSeconds = 30 }
        let id = try pipeline.createVideo()
        let lease = try XCTUnwrap(pipeline.claim(id)?.lease)
        let rescuer = LeaseRescuer(store: pipeline.store, clock: pipeline.clock)
        XCTAssertEqual(try rescuer.pass(leaseSeconds: 30), [])
        pipeline.clock.step(wall: 3600)
        XCTAssertEqual(try rescuer.pass(leaseSeconds: 30), [], "NTP stepped the clock; the worker is alive")
        pipeline.clock.advance(20)
        try pipeline.store.renewLease(lease, leaseSeconds: 30, now: pipeline.clock.wallNow())
        pipeline.clock.advance(20)
        XCTAssertEqual(try rescuer.pass(leaseSeconds: 30), [], "renewed 20 s ago")
        pipeline.clock.advance(31)
        XCTAssertEqual(try rescuer.pass(leaseSeconds: 30), [lease], "no renewal for 31 s of monotonic time")
        XCTAssertEqual(try pipeline.job(id).state, "available")
    }

    /// Hole 3: a worker that lost its lease mid-stage (rescued, claimed by another) writes
    /// nothing: not its stage result, not a release, not an outcome.
    func testAWorkerWhoseLeaseWasTakenOver_writesNothingMore() throws {
        let pipeline = try InProcessPipeline()
        let id = try pipeline.createVideo()
        let jobA = try XCTUnwrap(pipeline.claim(id, owner: "daemon-a"))
        let taken = LockedValue<JobRecord?>(nil)
        let stages = ScriptedStages { stage, context, _ in
            // Daemon A froze here long enough for a rescue; daemon B claims the job.
            let running = try XCTUnwrap(pipeline.store.runningLeases().first)
            XCTAssertTrue(try pipeline.store.requeueStaleLease(running.lease, beats: running.beats))
            taken.withValue { $0 = try? pipeline.claim(id, owner: "daemon-b") }
            return .finished(.downloaded(SourceFile(file: "g1/source", sizeBytes: 1, sha256: "00", effectiveUrl: nil)))
        }
        pipeline.runner(stages).run(jobA, isStopping: { false })
        let jobB = try XCTUnwrap(taken.withValue { $0 })
        let now = try pipeline.job(id)
        XCTAssertEqual(now.state, "running")
        XCTAssertEqual(now.lease, jobB.lease, "B still holds the job")
        XCTAssertEqual(now.faultAttempts, 0, "A counted no fault")
        XCTAssertNil(now.stage, "A recorded no stage")
        XCTAssertEqual(try pipeline.store.stageResults(jobId: now.id), [:])
        XCTAssertEqual(try pipeline.video(id).status, .inProgress)
    }

    /// Hole 3: `pipeline.maxAttempts` worker faults park the job `stuck` (the video stays
    /// IN_PROGRESS with stage "stuck" and the fault as errorMessage, in the status file too);
    /// `retry` puts it back and it then succeeds.
    func testWorkerFaults_upToMaxAttempts_parkTheJobStuck_andRetryRequeuesIt() throws {
        let pipeline = try InProcessPipeline { $0.pipeline.maxAttempts = 2 }
        let id = try pipeline.createVideo()
        let healthy = LockedValue(false)
        let stages = ScriptedStages { stage, context, _ in
            guard healthy.withValue({ $0 }) else { throw PipelineError.workerFault("disk full (ENOSPC)") }
            return .published
        }
        for _ in 0..<2 {
            let job = try XCTUnwrap(pipeline.claim(id))
            pipeline.runner(stages).run(job, isStopping: { false })
        }
        XCTAssertEqual(try pipeline.job(id).state, "stuck")
        XCTAssertNil(try pipeline.claim(id), "not claimable while stuck")
        let doc = try XCTUnwrap(pipeline.statusFile(id))
        XCTAssertEqual(doc["status"], .string("IN_PROGRESS"))
        XCTAssertEqual(doc["stage"], .string("stuck"))
        XCTAssertEqual(doc["errorMessage"], .string("disk full (ENOSPC)"))
        XCTAssertEqual(doc["errorCode"], .null)

        let commands = SpoolCommands.forTests(layout: pipeline.layout, config: pipeline.configSource.current)
        let listed = commands.list(sellerId: nil, id: nil, status: nil, stuck: true, page: 0, size: 10)
        XCTAssertEqual(listed.exitCode, 0)
        XCTAssertTrue(listed.stdout.contains(id))
        XCTAssertEqual(commands.retry(videoId: id).exitCode, 0)
        XCTAssertEqual(commands.retry(videoId: id).exitCode, 1, "no longer stuck")
        healthy.withValue { $0 = true }
        pipeline.clock.advance(60)  // `retry` queued it by the real wall clock
        let job = try XCTUnwrap(pipeline.claim(id))
        pipeline.runner(stages).run(job, isStopping: { false })
        XCTAssertEqual(try pipeline.job(id).faultAttempts, 0)
    }
}
