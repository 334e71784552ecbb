import Foundation

extension StageContext {
    /// Moves the rendition and poster into `media/<videoId>/` (or, with `publish.s3`, uploads them
    /// through `S3Publisher`), then one transaction marks SUCCESS, supersedes older videos and
    /// auto-approves; then the changed status files are rewritten.
    func publish() throws {
        if let s3 = config.publish.s3 {
            guard let urls = try S3Publisher(context: self, settings: s3).upload() else {
                _ = try optimize()
                return try publish()
            }
            return try commitSuccess(videoURL: urls.video, posterURL: urls.poster)
        }
        let media = runner.layout.mediaFolder(videoId: video.id)
        let names = ["video_hd.mp4", "poster.jpg"]
        do {
            for name in names where FileManager.default.fileExists(atPath: outputFolder + "/" + name) {
                try AtomicFile.move(outputFolder + "/" + name, to: media + "/" + name)
            }
        } catch { throw FailureMapping.map(error) }
        guard FileManager.default.fileExists(atPath: media + "/video_hd.mp4") else {
            // Neither a finished rendition nor a published one: make it again.
            _ = try optimize()
            return try publish()
        }
        let base = config.publish.publicBaseUrl
        let videoURL = base.map { "\($0)/\(video.id)/video_hd.mp4" } ?? fileURL(media + "/video_hd.mp4")
        let hasPoster = FileManager.default.fileExists(atPath: media + "/poster.jpg")
        let posterURL = hasPoster ? (base.map { "\($0)/\(video.id)/poster.jpg" } ?? fileURL(media + "/poster.jpg")) : nil
        CrashPoint.reached(.afterMediaMoveBeforeCommit)
        try commitSuccess(videoURL: videoURL, posterURL: posterURL)
    }

    /// Commits SUCCESS (removing the scratch copy once it is durable) and rewrites the status files.
    private func commitSuccess(videoURL: String, posterURL: String?) throws {
        let duration = recordedCheck()?["durationSeconds"]?.doubleValue
        let changed = try runner.store.succeedVideo(videoId: video.id, optimizedVideoUrl: videoURL, posterUrl: posterURL,
                                                    durationSeconds: duration, autoApprove: config.publish.autoApprove)
        CrashPoint.reached(.afterCommitBeforeStatus)
        // SUCCESS is committed: from here on nothing can undo it, so a failed status write is not a
        // job fault. The file stays marked stale and the daemon's repair pass rewrites it.
        runner.removeScratch(video.id)
        runner.writeStatusAfterCommit(changed, videoId: video.id)
        runner.log.info("video SUCCESS", videoId: video.id, sellerId: video.sellerId, stage: "publish",
                        extra: [("optimizedVideoUrl", .string(videoURL))])
    }

    private func fileURL(_ path: String) -> String { URL(fileURLWithPath: path).absoluteString }
}
