import Foundation
import IngestDownload

extension StageContext {
    /// Streams `videoUrl` into the scratch folder under the download policy of the config.
    func download() throws -> JSONValue {
        do { try AtomicFile.makeDirectories(scratch) } catch { throw FailureMapping.map(error) }
        let partial = scratch + "/source.part"
        let policy = config.downloadPolicy
        let videoId = video.id
        // Progress goes to the store off the transfer's thread: a store that another process holds
        // locked (seconds of busy timeout) must not stall the transfer into a download timeout.
        let progressUpdates = BackgroundUpdates()
        let report = StageContext.throttled(every: 2) { [store = runner.store] fraction in
            progressUpdates.submit { try? store.setProgress(videoId: videoId, stage: JobStage.download.rawValue, progress: fraction) }
        }
        defer { progressUpdates.waitUntilIdle() }
        let result: DownloadResult
        do {
            result = try runner.downloader.download(
                url: video.videoUrl, to: partial, policy: policy,
                progress: { bytes, total in
                    if CrashPoint.isArmed(.midDownload), bytes > 0, StageContext.fileSize(partial) > 0 { CrashPoint.reached(.midDownload) }
                    if let total, total > 0 { report(Double(bytes) / Double(total)) }
                },
                shouldCancel: isStopping)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw FailureMapping.map(error)
        }
        guard rename(partial, sourcePath) == 0 else { throw PipelineError.workerFault("rename \(partial): \(String(cString: strerror(errno)))") }
        runner.log.info("downloaded \(result.bytes) bytes", videoId: video.id, sellerId: video.sellerId, stage: "download",
                        extra: [("attempts", .integer(Int64(result.attempts)))])
        return .object([("bytes", .integer(result.bytes)), ("effectiveUrl", .string(result.effectiveURL))])
    }
}
