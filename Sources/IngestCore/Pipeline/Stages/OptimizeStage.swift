import Foundation
import MediaModel

extension StageContext {
    /// Makes the HD rendition and poster in this claim's scratch folder, in a media child process.
    /// A source that is gone sends the job back to download.
    func optimize(_ source: SourceFile, _ checked: CheckedSource) throws -> StageOutcome {
        let input: String
        switch sourcePath(source) {
        case .success(let p): input = p
        case .failure(let reason): return .rewind(to: .download, reason: reason.message)
        }
        let videoId = video.id
        let runner = self.runner
        let lease = self.lease
        let report = StageContext.throttled(every: 2) { fraction in
            CrashPoint.reached(.midOptimize)
            try? runner.store.setProgress(lease, stage: JobStage.optimize.rawValue, progress: fraction)
            try? runner.statusWriter.write(videoIds: [videoId], durable: false)
            runner.log.info("optimizing", videoId: videoId, stage: "optimize", extra: [("progress", .number((fraction * 1000).rounded() / 1000))])
        }
        let folder = claimFolder + "/out"
        let output = scratchPath(folder)
        try? FileManager.default.removeItem(atPath: output)
        let result: OptimizeResult
        do {
            // The check's probe of the source, kept in its stage result (a resumed job has it too).
            result = try mediaChild.optimize(input: input, format: checked.format, source: checked.probe, outputDirectory: output, config: config,
                                             progress: report, shouldStop: isStopping).get()
        } catch let error as MediaError {
            throw FailureMapping.mapOptimize(error)
        } catch let error as MediaChild.Failure {
            throw pipelineError(error)
        }
        runner.log.info(result.usedFastPath ? "remuxed (fast path)" : "transcoded", videoId: video.id, sellerId: video.sellerId,
                        stage: "optimize")
        let hasPoster = FileManager.default.fileExists(atPath: output + "/poster.jpg")
        return .finished(.optimized(Rendition(folder: folder, hasPoster: hasPoster, usedFastPath: result.usedFastPath, output: result.output)))
    }
}
