import Foundation

extension StageContext {
    /// Puts the rendition and poster where they are served: into `media/<videoId>/`, made durable
    /// (file, then folder), or with `publish.s3` into the bucket through `S3Publisher` (uploaded and
    /// confirmed). Then one transaction, fenced by the lease, marks SUCCESS, supersedes older videos
    /// and auto-approves; then the changed status files are rewritten. A rendition that is neither
    /// in scratch nor already published sends the job back to optimize.
    func publish(_ rendition: Rendition, _ checked: CheckedSource) throws -> StageOutcome {
        let made = scratchPath(rendition.folder)
        if let s3 = config.publish.s3 {
            guard let urls = try S3Publisher(context: self, settings: s3, folder: made).upload() else {
                return .rewind(to: .optimize, reason: "the rendition is not in \(rendition.folder)")
            }
            return try commitSuccess(videoURL: urls.video, posterURL: urls.poster, checked)
        }
        let media = runner.layout.mediaFolder(videoId: video.id)
        let names = ["video_hd.mp4", "poster.jpg"]
        do {
            for name in names where FileManager.default.fileExists(atPath: made + "/" + name) {
                try AtomicFile.syncFile(made + "/" + name)
                try AtomicFile.move(made + "/" + name, to: media + "/" + name)
            }
        } catch { throw FailureMapping.map(error) }
        guard FileManager.default.fileExists(atPath: media + "/video_hd.mp4") else {
            return .rewind(to: .optimize, reason: "the rendition is neither in \(rendition.folder) nor in media/")
        }
        // The file's data and the folder entries (media/<id>/ and media/ for a new folder) are on
        // disk before the commit that names them: a power cut cannot leave a SUCCESS without its file.
        do {
            try AtomicFile.syncFile(media + "/video_hd.mp4")
            try AtomicFile.syncDirectory(media)
            try AtomicFile.syncDirectory((media as NSString).deletingLastPathComponent)
        } catch { throw FailureMapping.map(error) }
        let base = config.publish.publicBaseUrl
        let videoURL = base.map { "\($0)/\(video.id)/video_hd.mp4" } ?? fileURL(media + "/video_hd.mp4")
        let hasPoster = FileManager.default.fileExists(atPath: media + "/poster.jpg")
        let posterURL = hasPoster ? (base.map { "\($0)/\(video.id)/poster.jpg" } ?? fileURL(media + "/poster.jpg")) : nil
        CrashPoint.reached(.afterMediaMoveBeforeCommit)
        return try commitSuccess(videoURL: videoURL, posterURL: posterURL, checked)
    }

    /// Commits SUCCESS (fenced by the lease), then removes the scratch copy and rewrites the status files.
    private func commitSuccess(videoURL: String, posterURL: String?, _ checked: CheckedSource) throws -> StageOutcome {
        let changed = try runner.store.succeedVideo(lease, videoId: video.id, optimizedVideoUrl: videoURL, posterUrl: posterURL,
                                                    durationSeconds: checked.durationSeconds, autoApprove: config.publish.autoApprove)
        CrashPoint.reached(.afterCommitBeforeStatus)
        Metrics.shared.countVideo(success: true, errorCode: nil)
        // SUCCESS is committed: from here on nothing can undo it, so a failed status write is not a
        // job fault. The file stays marked stale and the daemon's repair pass rewrites it.
        runner.removeScratch(video.id)
        runner.writeStatusAfterCommit(changed, videoId: video.id)
        runner.log.info("video SUCCESS", videoId: video.id, sellerId: video.sellerId, stage: "publish",
                        extra: [("optimizedVideoUrl", .string(videoURL))])
        return .published
    }

    private func fileURL(_ path: String) -> String { URL(fileURLWithPath: path).absoluteString }
}
