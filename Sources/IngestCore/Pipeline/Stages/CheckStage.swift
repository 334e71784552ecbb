import Foundation

extension StageContext {
    /// Magic bytes and the URL's extension, size, then duration with libavformat, in a media child
    /// process. A source that is gone (or not the size downloaded) sends the job back to download.
    func check(_ source: SourceFile) throws -> StageOutcome {
        let path: String
        switch sourcePath(source) {
        case .success(let p): path = p
        case .failure(let reason): return .rewind(to: .download, reason: reason.message)
        }
        let report: MediaCheck.Report
        do { report = try mediaChild.check(path: path, name: video.videoUrl, config: config, shouldStop: isStopping) } catch {
            throw pipelineError(error)
        }
        if let failure = report.failure { throw failure }
        guard let format = report.format, let duration = report.durationSeconds else {
            throw PipelineError.workerFault("check: the media worker passed the file without a format and duration")
        }
        return .finished(.checked(CheckedSource(format: format, durationSeconds: duration, probe: report.probe)))
    }
}
