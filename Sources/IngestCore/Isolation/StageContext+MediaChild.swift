import Foundation

extension StageContext {
    /// The media child of this job's stages.
    var mediaChild: MediaChild { MediaChild(children: runner.mediaChildren, log: runner.log, videoId: video.id, sellerId: video.sellerId) }

    /// What a failed child run means for the job. A child that died (signal, limit, deadline) counts
    /// a media crash in the store: the first is retried as a worker fault, the second fails the video
    /// with `format.invalid` and the reason. A child that ran out of memory on a file the check
    /// accepted is a worker fault and counts no crash (`MemoryExhaustion`).
    func pipelineError(_ failure: MediaChild.Failure) -> PipelineError {
        switch failure {
        case .stopped:
            return .cancelled
        case .spawnFailed, .outOfMemory:
            return .workerFault(failure.description)
        case .died(let reason):
            let crashes: Int
            do { crashes = try runner.store.recordMediaCrash(lease) } catch {
                return .workerFault("\(reason); the crash could not be counted: \(error)")
            }
            if crashes >= 2 { return .seller(.formatInvalid, reason) }
            runner.log.warn("the media worker died; retrying the job once", videoId: video.id, sellerId: video.sellerId,
                            extra: [("reason", .string(reason)), ("mediaCrashes", .integer(Int64(crashes)))])
            return .workerFault(reason)
        }
    }
}
