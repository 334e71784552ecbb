import Foundation

extension StageContext {
    /// Magic bytes and the URL's extension, size, then duration with libavformat, in a media child process.
    func check() throws -> JSONValue {
        guard FileManager.default.fileExists(atPath: sourcePath) else {
            // The scratch copy is gone (swept or lost): fetch it again, then check.
            _ = try download()
            return try check()
        }
        let report: MediaCheck.Report
        do { report = try mediaChild.check(path: sourcePath, name: video.videoUrl, config: config, shouldStop: isStopping) } catch {
            throw pipelineError(error)
        }
        if let failure = report.failure { throw failure }
        return .object([("format", .string(report.format?.rawValue)), ("durationSeconds", .number(report.durationSeconds))])
    }
}
