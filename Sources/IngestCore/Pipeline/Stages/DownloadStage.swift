import Foundation
import IngestDownload

extension StageContext {
    /// Streams `videoUrl` into the scratch folder under the download policy of the config.
    func download() throws -> JSONValue {
        do { try AtomicFile.makeDirectories(scratch) } catch { throw FailureMapping.map(error) }
        if let token = Uploads.token(ofVideoUrl: video.videoUrl) { return try takeUpload(token: token) }
        let partial = scratch + "/source.part"
        let d = config.download
        let policy = DownloadPolicy(
            timeoutSeconds: d.timeoutSeconds, stallTimeoutSeconds: d.stallTimeoutSeconds, maxRedirects: d.maxRedirects,
            retries: d.retries, retryBackoffSeconds: d.retryBackoffSeconds, maxBytes: config.limits.maxFileSizeBytes,
            allowedNetworks: d.allowedNetworks.compactMap(CIDR.parse))
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
        Metrics.shared.countDownloadBytes(result.bytes)
        guard rename(partial, sourcePath) == 0 else { throw PipelineError.workerFault("rename \(partial): \(String(cString: strerror(errno)))") }
        runner.log.info("downloaded \(result.bytes) bytes", videoId: video.id, sellerId: video.sellerId, stage: "download",
                        extra: [("attempts", .integer(Int64(result.attempts)))])
        return .object([("bytes", .integer(result.bytes)), ("effectiveUrl", .string(result.effectiveURL))])
    }
}

extension StageContext {
    /// An HTTP upload skips the download: its file moves from `uploads/` into the scratch folder.
    func takeUpload(token: String) throws -> JSONValue {
        let upload = Uploads.path(runner.layout, token: token)
        if rename(upload, sourcePath) != 0 {
            let e = errno
            // A repeat after a crash between the move and the stage record finds it moved already.
            guard e == ENOENT, FileManager.default.fileExists(atPath: sourcePath) else {
                if e == ENOENT { throw PipelineError.seller(.downloadFailed, "the uploaded file is no longer there") }
                throw PipelineError.workerFault("rename \(upload): \(String(cString: strerror(e)))")
            }
        }
        let bytes = StageContext.fileSize(sourcePath)
        runner.log.info("took the uploaded file (\(bytes) bytes)", videoId: video.id, sellerId: video.sellerId, stage: "download")
        return .object([("bytes", .integer(bytes)), ("uploaded", .bool(true))])
    }
}
