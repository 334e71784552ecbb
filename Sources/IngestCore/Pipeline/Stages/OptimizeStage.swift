import Foundation
import MediaKit

extension StageContext {
    /// Makes the HD rendition and poster in the scratch folder.
    func optimize() throws -> JSONValue {
        guard FileManager.default.fileExists(atPath: sourcePath),
              let formatName = recordedCheck()?["format"]?.stringValue, let format = ContainerFormat(rawValue: formatName) else {
            _ = try check()
            return try optimize()
        }
        let o = config.optimization
        let settings = OptimizeSettings(maxHeight: o.maxHeight, maxFrameRate: o.maxFrameRate, crf: o.crf, preset: o.preset,
                                        x264Threads: o.x264Threads)
        let videoId = video.id
        let runner = self.runner
        let report = StageContext.throttled(every: 2) { fraction in
            CrashPoint.reached(.midOptimize)
            try? runner.store.setProgress(videoId: videoId, stage: JobStage.optimize.rawValue, progress: fraction)
            try? runner.statusWriter.write(videoIds: [videoId])
            runner.log.info("optimizing", videoId: videoId, stage: "optimize", extra: [("progress", .number((fraction * 1000).rounded() / 1000))])
        }
        try? FileManager.default.removeItem(atPath: outputFolder)
        let result: OptimizeResult
        do {
            result = try Optimizer.optimize(input: sourcePath, format: format, outputDirectory: outputFolder, settings: settings,
                                            progress: report, shouldCancel: isStopping)
        } catch let error as MediaError {
            throw FailureMapping.mapOptimize(error)
        }
        runner.log.info(result.usedFastPath ? "remuxed (fast path)" : "transcoded", videoId: video.id, sellerId: video.sellerId,
                        stage: "optimize")
        return .object([("fastPath", .bool(result.usedFastPath)), ("durationSeconds", .number(result.output.durationSeconds))])
    }
}
