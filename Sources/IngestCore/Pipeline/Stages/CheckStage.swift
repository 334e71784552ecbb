import Foundation

extension StageContext {
    /// Magic bytes and the URL's extension, size, then duration with libavformat.
    func check() throws -> JSONValue {
        guard FileManager.default.fileExists(atPath: sourcePath) else {
            // The scratch copy is gone (swept or lost): fetch it again, then check.
            _ = try download()
            return try check()
        }
        let report = try MediaCheck.check(path: sourcePath, name: video.videoUrl, config: config)
        if let failure = report.failure { throw failure }
        return .object([("format", .string(report.format?.rawValue)), ("durationSeconds", .number(report.durationSeconds))])
    }
}
