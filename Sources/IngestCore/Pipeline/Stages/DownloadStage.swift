import Foundation
import IngestCrypto
import IngestDownload

extension StageContext {
    /// Streams `videoUrl` into this claim's scratch folder under the download policy of the config
    /// (an HTTP upload instead moves in from `uploads/`); the result names the file, its size and
    /// its SHA-256.
    func download() throws -> StageOutcome {
        runner.mediaChildren.prepare()  // a fork server that died starts again while the download runs
        let folder = claimFolder
        do { try AtomicFile.makeDirectories(scratchPath(folder)) } catch { throw FailureMapping.map(error) }
        let source = folder + "/source"
        if let token = Uploads.token(ofVideoUrl: video.videoUrl) { return try takeUpload(token: token, to: source) }
        let partial = scratchPath(folder + "/source.part")
        let policy = config.downloadPolicy
        // Progress goes to the store off the transfer's thread: a store that another process holds
        // locked (seconds of busy timeout) must not stall the transfer into a download timeout.
        let progressUpdates = BackgroundUpdates()
        let report = StageContext.throttled(every: 2) { [store = runner.store, lease] fraction in
            progressUpdates.submit { try? store.setProgress(lease, stage: JobStage.download.rawValue, progress: fraction) }
        }
        defer { progressUpdates.waitUntilIdle() }
        let result: DownloadResult
        do {
            result = try runner.downloader.download(
                url: video.videoUrl, to: partial, policy: policy,
                progress: { bytes, total in
                    if CrashPoint.isArmed(.midDownload), bytes > 0, (StageContext.fileSize(partial) ?? 0) > 0 { CrashPoint.reached(.midDownload) }
                    if let total, total > 0 { report(Double(bytes) / Double(total)) }
                },
                shouldCancel: isStopping)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw FailureMapping.map(error)
        }
        Metrics.shared.countDownloadBytes(result.bytes)
        let digest = result.sha256
        guard rename(partial, scratchPath(source)) == 0 else {
            throw PipelineError.workerFault("rename \(partial): \(String(cString: strerror(errno)))")
        }
        runner.log.info("downloaded \(result.bytes) bytes", videoId: video.id, sellerId: video.sellerId, stage: "download",
                        extra: [("attempts", .integer(Int64(result.attempts))), ("sha256", .string(digest))])
        return .finished(.downloaded(SourceFile(file: source, sizeBytes: result.bytes, sha256: digest, effectiveUrl: result.effectiveURL)))
    }

    /// The lowercase hex SHA-256 of a file, read in 1 MiB blocks.
    static func sha256(ofFile path: String) throws(AtomicFile.Failure) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFile.Failure(path: path, call: "open", errno: errno) }
        defer { close(fd) }
        let hasher = SHA256Hasher()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw AtomicFile.Failure(path: path, call: "read", errno: errno)
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return SHA256.hex(hasher.finish())
    }

    /// The source file of `result`, or why it cannot be used (gone, or not the size downloaded).
    func sourcePath(_ result: SourceFile) -> Result<String, RewindReason> {
        let path = scratchPath(result.file)
        guard let size = StageContext.fileSize(path) else { return .failure(RewindReason("the downloaded source \(result.file) is gone")) }
        guard size == result.sizeBytes else {
            return .failure(RewindReason("the downloaded source \(result.file) has \(size) bytes, not the \(result.sizeBytes) downloaded"))
        }
        return .success(path)
    }
}

/// Why a stage's input cannot be used (it goes back to the stage that makes it).
struct RewindReason: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}

extension StageContext {
    /// An HTTP upload skips the download: its file moves from `uploads/` into this claim's scratch
    /// folder as `source` (relative to the video's scratch folder).
    func takeUpload(token: String, to source: String) throws -> StageOutcome {
        let upload = Uploads.path(runner.layout, token: token)
        let target = scratchPath(source)
        if rename(upload, target) != 0 {
            let e = errno
            // A repeat after a crash between the move and the stage record finds it moved already.
            guard e == ENOENT, FileManager.default.fileExists(atPath: target) else {
                if e == ENOENT { throw PipelineError.seller(.downloadFailed, "the uploaded file is no longer there") }
                throw PipelineError.workerFault("rename \(upload): \(String(cString: strerror(e)))")
            }
        }
        let bytes = StageContext.fileSize(target) ?? 0
        let digest: String
        do { digest = try Self.sha256(ofFile: target) } catch { throw FailureMapping.map(error) }
        runner.log.info("took the uploaded file (\(bytes) bytes)", videoId: video.id, sellerId: video.sellerId, stage: "download",
                        extra: [("sha256", .string(digest))])
        return .finished(.downloaded(SourceFile(file: source, sizeBytes: bytes, sha256: digest, effectiveUrl: nil)))
    }
}
