import Foundation
import IngestDownload
import IngestStore
import MediaKit

/// Carries one claimed job through download → check → optimize → publish, recording each
/// finished stage, and settles it: SUCCESS, FAILED with a contract code, or back to the queue
/// after a worker fault or a stop.
final class JobRunner: @unchecked Sendable {
    let layout: SpoolLayout
    let store: VideoStore
    let statusWriter: StatusWriter
    let configSource: ConfigSource
    let downloader = Downloader()
    let log = Log.shared

    init(layout: SpoolLayout, store: VideoStore, statusWriter: StatusWriter, configSource: ConfigSource) {
        self.layout = layout
        self.store = store
        self.statusWriter = statusWriter
        self.configSource = configSource
    }

    /// Runs `job` until it is settled. `isStopping` turns true when the daemon is asked to stop.
    func run(_ job: JobRecord, isStopping: @escaping @Sendable () -> Bool) {
        guard let video = try? store.video(id: job.videoId) else {
            log.error("claimed a job whose video cannot be read", videoId: job.videoId)
            try? store.releaseJob(jobId: job.id, runAt: Date().addingTimeInterval(5), error: "video unreadable", countAsFault: true)
            return
        }
        let context = StageContext(runner: self, job: job, video: video, isStopping: isStopping)
        var marker = job.stage
        do {
            while let stage = JobStage.next(after: marker) {
                if isStopping() { throw PipelineError.cancelled }
                context.config = configSource.current
                log.info("stage started", videoId: video.id, sellerId: video.sellerId, stage: stage.rawValue)
                let finished = try context.run(stage)
                marker = finished
            }
        } catch let error as PipelineError {
            settle(video, job: job, error: error)
        } catch {
            settle(video, job: job, error: .workerFault("\(error)"))
        }
    }

    private func settle(_ video: VideoRecord, job: JobRecord, error: PipelineError) {
        switch error {
        case .seller(let code, let message):
            let changed: [String]
            do { changed = try store.failVideo(videoId: video.id, errorCode: code.rawValue, errorMessage: message) } catch {
                retryLater(video, job: job, reason: "cannot record the failure: \(error)")
                return
            }
            removeScratch(video.id)
            Metrics.shared.countVideo(success: false, errorCode: code.rawValue)
            writeStatusAfterCommit(changed, videoId: video.id)
            log.info("video FAILED: \(code.rawValue): \(message)", videoId: video.id, sellerId: video.sellerId)
        case .workerFault(let reason):
            retryLater(video, job: job, reason: reason)
        case .cancelled:
            try? store.releaseJob(jobId: job.id, runAt: Date(), error: "daemon stopped", countAsFault: false)
            log.info("job returned to the queue; the daemon is stopping", videoId: video.id, sellerId: video.sellerId)
        }
    }

    /// A worker fault: back to the queue with exponential backoff, never FAILED for it.
    private func retryLater(_ video: VideoRecord, job: JobRecord, reason: String) {
        let p = configSource.current.pipeline
        let delay = min(p.maxFaultBackoffSeconds, p.faultBackoffSeconds * pow(2, Double(min(job.faultAttempts, 20))))
        log.warn("worker fault; retrying in \(Int(delay)) s: \(reason)", videoId: video.id, sellerId: video.sellerId)
        // The fault may be the store itself (another process holding it locked): keep trying to
        // release for a while (the heartbeat keeps the lease meanwhile) rather than leave the job
        // running until its lease runs out.
        for attempt in 1... {
            do {
                try store.releaseJob(jobId: job.id, runAt: Date().addingTimeInterval(delay), error: reason, countAsFault: true)
                return
            } catch let error as StoreError where error.isWorkerFault && attempt < 10 {
                log.warn("cannot release the job yet; trying again: \(error)", videoId: video.id)
                Thread.sleep(forTimeInterval: 1)
            } catch {
                log.error("cannot release the job; when its lease runs out the repair pass requeues it: \(error)", videoId: video.id)
                return
            }
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
