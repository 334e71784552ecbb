import Foundation
import IngestStore
import TestHTTPServer
import XCTest
@testable import IngestCore

/// Property-style runs of the job state machine (issue 10): one job through random
/// interleavings of claim, stage, crash, frozen worker + rescue, wall-clock step, worker fault,
/// delete, reject, supersede and restart. After each run:
///
/// - exactly one terminal outcome (done ⇔ SUCCESS, failed ⇔ FAILED, cancelled ⇔ deleted);
/// - nothing changes a video after its delete (document, status file, no media);
/// - never two workers inside one job at once, and a worker without the lease writes nothing;
/// - the drop has a receipt.
///
/// Most runs are in process (the real `JobRunner` on a real SQLite file, quick scripted stages that
/// write real files, an injected clock; a crash is a worker thread that never runs again, a frozen
/// worker is one that wakes up after the rescue); a few kill -9 a real daemon. Runs:
/// `VIDEO_INGEST_PROPERTY_RUNS` (default 200), `VIDEO_INGEST_PROPERTY_DAEMON_RUNS` (default 3),
/// seed `VIDEO_INGEST_PROPERTY_SEED` (default: random, printed on failure). `make soak` runs more.
final class JobPropertyTests: XCTestCase {
    static func setting(_ name: String, _ fallback: UInt64) -> UInt64 {
        ProcessInfo.processInfo.environment[name].flatMap { UInt64($0) } ?? fallback
    }

    func testRandomInterleavings_inProcess_keepEveryInvariant() throws {
        let runs = Self.setting("VIDEO_INGEST_PROPERTY_RUNS", 200)
        let base = Self.setting("VIDEO_INGEST_PROPERTY_SEED", UInt64.random(in: 1...UInt64(UInt32.max)))
        let start = Date()
        for run in 0..<runs {
            let seed = base &+ run
            do {
                let problems = try InProcessRun(seed: seed).execute()
                if !problems.isEmpty {
                    XCTFail("seed=\(seed) (rerun: VIDEO_INGEST_PROPERTY_SEED=\(seed) VIDEO_INGEST_PROPERTY_RUNS=1): \(problems.joined(separator: "; "))")
                    return
                }
            } catch {
                XCTFail("seed=\(seed): \(error)")
                return
            }
        }
        print("property runs: \(runs) in process from seed \(base) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }

    func testRandomKillsOfARealDaemon_keepEveryInvariant() throws {
        let runs = Self.setting("VIDEO_INGEST_PROPERTY_DAEMON_RUNS", 3)
        let base = Self.setting("VIDEO_INGEST_PROPERTY_SEED", UInt64.random(in: 1...UInt64(UInt32.max)))
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.fileRoot = DaemonHarness.samples
        for run in 0..<runs {
            let seed = base &+ run
            let problems = try DaemonRun(seed: seed, server: server).execute()
            if !problems.isEmpty {
                XCTFail("seed=\(seed) (rerun: VIDEO_INGEST_PROPERTY_SEED=\(seed) VIDEO_INGEST_PROPERTY_DAEMON_RUNS=1): \(problems.joined(separator: "; "))")
                return
            }
        }
    }
}

/// A small, seedable random number generator (SplitMix64), so a failing run can be replayed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One in-process run.
private final class InProcessRun: @unchecked Sendable {
    enum Event: CaseIterable { case none, crash, freeze, clockStep, fault, sellerFailure, delete, reject, supersede, restart }

    let seed: UInt64
    private var random: SeededRandom
    private let lock = NSLock()
    private var problems: [String] = []
    private var inside = 0
    private var zombies: [DispatchSemaphore] = []
    private var deletedSnapshot: (record: VideoRecord, file: Data?)?
    private var successes = 0
    private var videoId = ""
    private var pipeline: InProcessPipeline!

    init(seed: UInt64) {
        self.seed = seed
        random = SeededRandom(seed: seed)
    }

    private func note(_ problem: String) { lock.withLock { problems.append(problem) } }
    private func pick() -> Event {
        lock.withLock { random.next() % 3 == 0 ? Event.allCases.randomElement(using: &random)! : .none }
    }

    func execute() throws -> [String] {
        pipeline = try InProcessPipeline { $0.store.leaseSeconds = 30; $0.pipeline.maxAttempts = 3 }
        let p = pipeline!
        // The drop, answered by the real intake.
        let inbox = p.layout.inbox + "/seller-1"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try Data(DaemonHarness.body(url: "http://127.0.0.1:9/v.mp4", ids: ["p1"]).utf8).write(to: URL(fileURLWithPath: inbox + "/k.json"))
        _ = DropFolderIntake(layout: p.layout, store: p.store, statusWriter: p.statusWriter).scan(config: p.configSource.current)
        guard let receipt = FileManager.default.contents(atPath: p.layout.receipts + "/seller-1/k.json"),
              let id = try JSONParser.parse(receipt)["videoId"]?.stringValue else { return ["the drop has no receipt"] }
        videoId = id
        let rescuer = LeaseRescuer(store: p.store, clock: p.clock)
        let commands = SpoolCommands.forTests(layout: p.layout, config: p.configSource.current)
        var workers = 0
        for step in 0..<60 {
            let calm = step >= 40  // then no more events: the job must settle
            guard let state = try p.store.job(videoId: id).flatMap({ JobState(rawValue: $0.state) }), !state.isTerminal else { break }
            if state == .stuck { _ = commands.retry(videoId: id) }
            if state == .running { // a frozen worker's lease: rescued after leaseSeconds of monotonic time
                _ = try rescuer.pass(leaseSeconds: 30)
                p.clock.advance(31)
                _ = try rescuer.pass(leaseSeconds: 30)
                continue
            }
            p.clock.advance(1)
            // Nothing claimable yet (a backoff, or run_at set before the wall clock stepped back): time passes.
            guard let job = try p.claim(id, owner: "worker-\(workers)") else { p.clock.advance(600); continue }
            workers += 1
            let stopping = LockedValue(false)
            let finished = DispatchSemaphore(value: 0)
            let runner = p.runner(ScriptedStages { [self] stage, context, results in
                try self.stage(stage, context, calm: calm, stopping: stopping, finished: finished)
            })
            Thread.detachNewThread {
                runner.run(job, isStopping: { stopping.withValue { $0 } })
                finished.signal()
            }
            finished.wait()
        }
        // The dead and frozen workers wake up: every write they try must be refused.
        let before = try p.store.job(videoId: id)
        let videoBefore = try p.store.video(id: id)
        lock.withLock { zombies }.forEach { $0.signal() }
        Thread.sleep(forTimeInterval: zombies.isEmpty ? 0 : 0.2)
        try check(jobBefore: before, videoBefore: videoBefore)
        return lock.withLock { problems }
    }

    /// One stage body: maybe an event first, then quick real work.
    private func stage(_ stage: JobStage, _ context: StageContext, calm: Bool, stopping: LockedValue<Bool>,
                       finished: DispatchSemaphore) throws -> StageOutcome {
        let p = pipeline!
        var counted = try p.store.holdsLease(context.lease)
        lock.withLock {
            if counted { inside += 1 }
            if inside > 1 { problems.append("two workers inside the job at \(stage.rawValue)") }
        }
        defer { if counted { lock.withLock { inside -= 1 } } }
        switch calm ? .none : pick() {
        case .none: break
        case .crash, .freeze:
            // The worker stops here for good (kill -9) or until the end of the run (frozen); the
            // scheduler goes on with a restart (crash) or a rescue (frozen).
            let wake = DispatchSemaphore(value: 0)
            lock.withLock { zombies.append(wake) }
            if counted { lock.withLock { inside -= 1 } }
            counted = false  // a dead worker is inside nothing; woken, it must find its lease gone
            if lock.withLock({ Bool.random(using: &random) }) { _ = try p.store.requeueAllRunning() }
            finished.signal()
            wake.wait()
        case .clockStep:
            p.clock.step(wall: lock.withLock { Bool.random(using: &random) } ? 3600 : -3600)
            let requeued = try LeaseRescuer(store: p.store, clock: p.clock).pass(leaseSeconds: 30)
            if !requeued.isEmpty { note("a wall-clock step rescued a live lease") }
        case .fault: throw PipelineError.workerFault("injected fault")
        case .sellerFailure: throw PipelineError.seller(.formatInvalid, "injected seller failure")
        case .delete:
            _ = SpoolCommands.forTests(layout: p.layout, config: p.configSource.current).moderate(videoId: videoId, .delete)
            if deletedSnapshot == nil, let record = try p.store.video(id: videoId), record.deleted {
                deletedSnapshot = (record, FileManager.default.contents(atPath: p.layout.statusFile(videoId: videoId)))
            }
        case .reject:
            _ = SpoolCommands.forTests(layout: p.layout, config: p.configSource.current).moderate(videoId: videoId, .reject(reason: "x"))
        case .supersede:
            let newer = try p.createVideo(products: ["p1"])
            if let lease = try p.claim(newer, owner: "other")?.lease {
                let changed = try p.store.succeedVideo(lease, videoId: newer, optimizedVideoUrl: "file:///n", posterUrl: nil, durationSeconds: 9,
                                                       autoApprove: true)
                try p.statusWriter.write(videoIds: changed)
            }
        case .restart:
            stopping.withValue { $0 = true }
            throw PipelineError.cancelled
        }
        let work = context.scratchPath(context.claimFolder)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        switch stage {
        case .download:
            try Data("source".utf8).write(to: URL(fileURLWithPath: work + "/source"))
            return .finished(.downloaded(SourceFile(file: context.claimFolder + "/source", sizeBytes: 6, sha256: "00", effectiveUrl: nil)))
        case .check:
            if case .failure(let why) = context.sourcePath(try XCTUnwrap(StageResults(stored: try p.store.stageResults(jobId: context.lease.jobId)).download)) {
                return .rewind(to: .download, reason: why.message)
            }
            return .finished(.checked(CheckedSource(format: .mp4, durationSeconds: 10, probe: nil)))
        case .optimize:
            try FileManager.default.createDirectory(atPath: work + "/out", withIntermediateDirectories: true)
            try Data("rendition".utf8).write(to: URL(fileURLWithPath: work + "/out/video_hd.mp4"))
            return .finished(.optimized(Rendition(folder: context.claimFolder + "/out", hasPoster: false, usedFastPath: true, output: nil)))
        case .publish:
            let results = StageResults(stored: try p.store.stageResults(jobId: context.lease.jobId))
            let made = context.scratchPath(try XCTUnwrap(results.optimize).folder) + "/video_hd.mp4"
            let media = p.layout.mediaFolder(videoId: videoId)
            if FileManager.default.fileExists(atPath: made) { try AtomicFile.move(made, to: media + "/video_hd.mp4") }
            guard FileManager.default.fileExists(atPath: media + "/video_hd.mp4") else { return .rewind(to: .optimize, reason: "gone") }
            let changed = try p.store.succeedVideo(context.lease, videoId: videoId, optimizedVideoUrl: "file://" + media, posterUrl: nil,
                                                   durationSeconds: 10, autoApprove: false)
            lock.withLock { successes += 1 }
            try p.statusWriter.write(videoIds: changed)
            return .published
        }
    }

    private func check(jobBefore: JobRecord?, videoBefore: VideoRecord?) throws {
        let p = pipeline!
        let job = try XCTUnwrap(p.store.job(videoId: videoId))
        let video = try XCTUnwrap(p.store.video(id: videoId))
        if job != jobBefore || video != videoBefore { note("a woken dead or frozen worker changed the job or the video") }
        switch JobState(rawValue: job.state) {
        case .done?: if video.status != .success { note("job done but video \(video.status)") }
        case .failed?: if video.status != .failed { note("job failed but video \(video.status)") }
        case .cancelled?: if !video.deleted || video.status != .inProgress { note("job cancelled but video \(video.status), deleted \(video.deleted)") }
        default: note("no terminal outcome: job \(job.state)")
        }
        if successes > 1 { note("\(successes) SUCCESS commits") }
        if let snapshot = deletedSnapshot {
            if video != snapshot.record { note("the video changed after its delete") }
            if FileManager.default.contents(atPath: p.layout.statusFile(videoId: videoId)) != snapshot.file { note("the status file changed after the delete") }
            if FileManager.default.fileExists(atPath: p.layout.mediaFolder(videoId: videoId)) { note("media of a deleted video") }
        }
    }
}

/// One run against a real daemon: the real pipeline on a sample, kill -9 at random moments,
/// restarts, and sometimes a delete or a reject from the CLI.
private struct DaemonRun {
    let seed: UInt64
    let server: TestHTTPServer

    func execute() throws -> [String] {
        var random = SeededRandom(seed: seed)
        var problems: [String] = []
        let harness = try DaemonHarness(["workers": .integer(1)])
        try harness.startDaemon()
        try harness.drop(seller: "s", key: "k", body: DaemonHarness.body(url: server.url("/files/h264_60fps_10s.mp4")))
        let id = try harness.videoId(try harness.waitForReceipt(seller: "s", key: "k", timeout: 30))
        var deleted: JSONValue?
        for _ in 0..<Int(random.next() % 3 + 1) {
            Thread.sleep(forTimeInterval: Double(random.next() % 1500) / 1000)
            switch random.next() % 4 {
            case 0 where deleted == nil:
                _ = try harness.cli(["delete", id])
                deleted = try harness.statusCommand(id)
            case 1:
                _ = try harness.cli(["reject", id])
            default:
                if let daemon = harness.daemon { kill(daemon.processIdentifier, SIGKILL) }
                _ = try harness.waitForDaemonExit(timeout: 10)
                try harness.startDaemon()
            }
        }
        if let deleted {
            Thread.sleep(forTimeInterval: 2)
            if try harness.statusCommand(id) != deleted { problems.append("the video changed after its delete") }
            if harness.statusFile(id) != deleted { problems.append("the status file changed after its delete") }
        } else {
            let doc = try harness.waitForFinalStatus(id, timeout: 120)
            if doc["status"] != .string("SUCCESS") { problems.append("ended \(doc.compact)") }
            if harness.logLines().filter({ $0.contains("video SUCCESS") && $0.contains(id) }).count != 1 { problems.append("not exactly one SUCCESS") }
        }
        if harness.daemon != nil { _ = try harness.stopDaemon() }
        return problems
    }
}
