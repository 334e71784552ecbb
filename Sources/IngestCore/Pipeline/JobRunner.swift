import Foundation
import IngestDownload
import IngestStore
import MediaModel

/// The one owner of a job's transitions while it runs (docs/ARCHITECTURE.md, "Job state machine").
///
/// It carries one claimed job through download → check → optimize → publish: it alone picks the
/// next stage (the first one without a recorded result), records each typed result, follows a
/// stage's "rewind to X" (its input is gone) at most `maxRewindsPerAttempt` times, and settles the
/// job: SUCCESS (published), FAILED with a contract code, back to the queue after a worker fault
/// (or `stuck` after `pipeline.maxAttempts` of them) or a stop. Every write states the claim's
/// lease; once the lease is gone (a delete cancelled the job, another worker took it over) the
/// runner writes nothing more for the job.
final class JobRunner: @unchecked Sendable {
    /// Rewinds one attempt may follow before the job counts a worker fault.
    static let maxRewindsPerAttempt = 3

    let layout: SpoolLayout
    let store: any VideoStore
    let statusWriter: StatusWriter
    let configSource: ConfigSource
    let clock: IngestClock
    let stages: StageWork
    /// The executable of media children (`MediaExecutable.path`: `video-ingest-media` beside the daemon's).
    let mediaChildExecutable: String
    /// Where every media child comes from (`MediaForkServer`).
    let mediaChildren: MediaForkServer
    let downloader = Downloader()
    let log = Log.shared

    init(layout: SpoolLayout, store: any VideoStore, statusWriter: StatusWriter, configSource: ConfigSource,
         clock: IngestClock = SystemClock(), stages: StageWork = PipelineStages(), mediaChildExecutable: String = MediaExecutable.path) {
        self.layout = layout
        self.store = store
        self.statusWriter = statusWriter
        self.configSource = configSource
        self.clock = clock
        self.stages = stages
        self.mediaChildExecutable = mediaChildExecutable
        mediaChildren = MediaForkServer(executable: mediaChildExecutable, label: layout.root)
    }

    /// Runs `job` (as claimed) until it is settled or its lease is gone. `isStopping` turns true
    /// when the daemon is asked to stop.
    func run(_ job: JobRecord, isStopping: @escaping @Sendable () -> Bool) {
        guard let lease = job.lease else {
            log.error("asked to run a job that is not claimed", extra: [("jobId", .integer(job.id)), ("state", .string(job.state))])
            return
        }
        let watch = LeaseWatch(store: store, lease: lease, clock: clock)
        let stop: @Sendable () -> Bool = { isStopping() || watch.isLost }
        let video: VideoRecord
        do {
            guard let v = try store.video(id: job.videoId) else { throw StoreError(.notFound, "no video \(job.videoId)") }
            video = v
        } catch {
            log.error("claimed a job whose video cannot be read: \(error)", videoId: job.videoId)
            retryLater(job.videoId, lease: lease, job: job, reason: "video unreadable: \(error)")
            return
        }
        let context = StageContext(runner: self, job: job, lease: lease, video: video, isStopping: stop)
        do {
            try drive(context)
        } catch let error as PipelineError {
            if case .cancelled = error, watch.checkNow() { return leaseLost(video, lease: lease, "the lease was lost during a stage") }
            settle(video, lease: lease, job: job, error: error)
        } catch let error as StoreError where error.code == .leaseLost {
            leaseLost(video, lease: lease, error.message)
        } catch {
            settle(video, lease: lease, job: job, error: .workerFault("\(error)"))
        }
    }

    /// The state machine of one attempt: next stage from the results, record or rewind, until published.
    private func drive(_ context: StageContext) throws {
        let lease = context.lease
        var results = StageResults(stored: try store.stageResults(jobId: lease.jobId))
        var rewinds = 0
        while true {
            let stage = results.nextStage
            if context.isStopping() { throw PipelineError.cancelled }
            context.config = configSource.current
            log.info("stage started", videoId: context.video.id, sellerId: context.video.sellerId, stage: stage.rawValue)
            try context.updateStage(stage.rawValue, progress: nil)
            let started = Date()
            let outcome = try stages.run(stage, context, results)
            Metrics.shared.observeStage(stage.rawValue, seconds: Date().timeIntervalSince(started))
            switch outcome {
            case .published:
                return
            case .finished(let result):
                try store.recordStage(lease, stage: result.stage.rawValue, result: try result.encoded(),
                                      marker: result.stage.finishedMarker, videoStage: result.stage.rawValue)
                results.record(result)
                if result.stage == .download { CrashPoint.reached(.afterDownload) }
            case .rewind(let target, let reason):
                rewinds += 1
                guard rewinds <= Self.maxRewindsPerAttempt, target.order <= stage.order else {
                    throw PipelineError.workerFault("stage \(stage.rawValue) asked to rewind to \(target.rawValue) (\(reason)) "
                                                    + "after \(rewinds - 1) rewinds in this attempt")
                }
                log.warn("stage \(stage.rawValue): \(reason); going back to \(target.rawValue)", videoId: context.video.id,
                         sellerId: context.video.sellerId, stage: stage.rawValue)
                try store.rewindStages(lease, forgetting: target.andLater.map(\.rawValue), marker: target.previous?.finishedMarker)
                results.forget(from: target)
            }
        }
    }

    private func settle(_ video: VideoRecord, lease: LeaseToken, job: JobRecord, error: PipelineError) {
        switch error {
        case .seller(let code, let message):
            let changed: [String]
            do { changed = try store.failVideo(lease, videoId: video.id, errorCode: code.rawValue, errorMessage: message) } catch let error as StoreError where error.code == .leaseLost {
                return leaseLost(video, lease: lease, error.message)
            } catch {
                retryLater(video.id, lease: lease, job: job, reason: "cannot record the failure: \(error)")
                return
            }
            removeScratch(video.id)
            Metrics.shared.countVideo(success: false, errorCode: code.rawValue)
            writeStatusAfterCommit(changed, videoId: video.id)
            log.info("video FAILED: \(code.rawValue): \(message)", videoId: video.id, sellerId: video.sellerId)
        case .workerFault(let reason):
            retryLater(video.id, lease: lease, job: job, reason: reason)
        case .cancelled:
            do {
                try store.releaseJob(lease, runAt: clock.wallNow(), error: "daemon stopped", countAsFault: false)
                log.info("job returned to the queue; the daemon is stopping", videoId: video.id, sellerId: video.sellerId)
            } catch let error as StoreError where error.code == .leaseLost {
                leaseLost(video, lease: lease, error.message)
            } catch {
                log.warn("cannot return the job to the queue; the next start requeues it: \(error)", videoId: video.id)
            }
        }
    }

    /// A worker fault: back to the queue with exponential backoff, never FAILED for it; the fault
    /// that reaches `pipeline.maxAttempts` parks the job `stuck`.
    private func retryLater(_ videoId: String, lease: LeaseToken, job: JobRecord, reason: String) {
        let p = configSource.current.pipeline
        let delay = min(p.maxFaultBackoffSeconds, p.faultBackoffSeconds * pow(2, Double(min(job.faultAttempts, 20))))
        // The fault may be the store itself (another process holding it locked): keep trying to
        // release for a while (the heartbeat keeps the lease meanwhile) rather than leave the job
        // running until its lease runs out.
        for attempt in 1... {
            do {
                let state = try store.releaseJob(lease, runAt: clock.wallNow().addingTimeInterval(delay), error: reason,
                                                 countAsFault: true, maxFaultAttempts: p.maxAttempts)
                if state == .stuck {
                    log.error("job stuck after \(p.maxAttempts) worker faults; `video-ingest retry \(videoId)` requeues it: \(reason)",
                              videoId: videoId, stage: "stuck")
                    writeStatusAfterCommit([videoId], videoId: videoId)
                } else {
                    log.warn("worker fault; retrying in \(Int(delay)) s: \(reason)", videoId: videoId)
                }
                return
            } catch let error as StoreError where error.code == .leaseLost {
                log.info("worker fault after the lease was lost; nothing written: \(reason)", videoId: videoId)
                return
            } catch let error as StoreError where error.isWorkerFault && attempt < 10 {
                log.warn("cannot release the job yet; trying again: \(error)", videoId: videoId)
                Thread.sleep(forTimeInterval: 1)
            } catch {
                log.error("cannot release the job; when its lease runs out the repair pass requeues it: \(error)", videoId: videoId)
                return
            }
        }
    }

    /// The lease is gone: the runner writes nothing more for the job. When a delete cancelled the
    /// job, this worker removes its scratch and whatever it may have published after the delete
    /// removed the media; when another worker took the job over, that worker owns everything.
    private func leaseLost(_ video: VideoRecord, lease: LeaseToken, _ why: String) {
        let job = try? store.job(videoId: video.id)
        if job?.state == JobState.cancelled.rawValue {
            removeScratch(video.id)
            if (try? store.video(id: video.id))?.deleted == true {
                try? FileManager.default.removeItem(atPath: layout.mediaFolder(videoId: video.id))
            }
            log.info("the video was deleted; its job is cancelled and this worker stopped", videoId: video.id, sellerId: video.sellerId)
        } else {
            try? FileManager.default.removeItem(atPath: layout.scratchFolder(videoId: video.id) + "/g\(lease.generation)")
            log.warn("\(lease) lost (\(why)); this worker writes nothing more for the job", videoId: video.id, sellerId: video.sellerId)
        }
    }

    /// Rewrites status files after a commit that settled the job. A failure is logged, not thrown:
    /// the outcome is durable, the files stay marked stale, and `Daemon.repair` rewrites them.
    func writeStatusAfterCommit(_ videoIds: [String], videoId: String) {
        do { try statusWriter.write(videoIds: videoIds) } catch {
            log.warn("status files not rewritten after the commit; the repair pass retries: \(error)", videoId: videoId)
        }
    }

    func removeScratch(_ videoId: String) {
        try? FileManager.default.removeItem(atPath: layout.scratchFolder(videoId: videoId))
    }
}
