import Foundation
import IngestStore

/// What the stages of one job share: the job, its video, its scratch folder and the config in
/// force when the current stage started.
final class StageContext: @unchecked Sendable {
    let runner: JobRunner
    let job: JobRecord
    let video: VideoRecord
    let isStopping: @Sendable () -> Bool
    var config: IngestConfig

    init(runner: JobRunner, job: JobRecord, video: VideoRecord, isStopping: @escaping @Sendable () -> Bool) {
        self.runner = runner
        self.job = job
        self.video = video
        self.isStopping = isStopping
        self.config = runner.configSource.current
    }

    var scratch: String { runner.layout.scratchFolder(videoId: video.id) }
    /// The downloaded source, complete (a download in progress is `source.part`).
    var sourcePath: String { scratch + "/source" }
    /// Where the optimizer writes the rendition and poster.
    var outputFolder: String { scratch + "/out" }

    /// Runs one stage and records it; returns the stored marker.
    func run(_ stage: JobStage) throws -> String {
        let started = Date()
        defer { Metrics.shared.observeStage(stage.rawValue, seconds: Date().timeIntervalSince(started)) }
        try updateStage(stage.rawValue, progress: nil)
        let data: JSONValue?
        switch stage {
        case .download: data = try download()
        case .check: data = try check()
        case .optimize: data = try optimize()
        case .publish: try publish(); return stage.finishedMarker
        }
        try runner.store.recordStage(jobId: job.id, stage: stage.finishedMarker, stageData: data?.compact, videoStage: stage.rawValue)
        if stage == .download { CrashPoint.reached(.afterDownload) }
        return stage.finishedMarker
    }

    /// Shows the running stage (and its progress) in the status document.
    func updateStage(_ stage: String, progress: Double?) throws {
        try runner.store.setProgress(videoId: video.id, stage: stage, progress: progress)
        try runner.statusWriter.write(videoIds: [video.id])
    }

    /// The data the check stage recorded (format, duration), re-read from the store.
    func recordedCheck() -> JSONValue? {
        guard let text = (try? runner.store.job(videoId: video.id))?.stageData else { return nil }
        return try? JSONParser.parse(Data(text.utf8))
    }

    /// Calls `body` at most every `interval` seconds.
    static func throttled(every interval: TimeInterval, _ body: @escaping @Sendable (Double) -> Void) -> @Sendable (Double) -> Void {
        let last = LockedValue(Date.distantPast)
        return { value in
            let now = Date()
            let due = last.withValue { last -> Bool in
                guard now.timeIntervalSince(last) >= interval else { return false }
                last = now
                return true
            }
            if due { body(value) }
        }
    }
}

/// A value behind a lock.
final class LockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withValue<R>(_ body: (inout Value) -> R) -> R { lock.withLock { body(&value) } }
}

extension StageContext {
    /// The size of the file at `path` on disk (0 when it is missing).
    static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }
}

/// Runs best-effort updates one at a time on a background queue, dropping an update while the
/// previous one is still running (the next one carries newer data anyway).
final class BackgroundUpdates: @unchecked Sendable {
    private let queue = DispatchQueue(label: "video-ingest.progress")
    private let group = DispatchGroup()
    private let busy = LockedValue(false)

    func submit(_ update: @escaping @Sendable () -> Void) {
        let start = busy.withValue { busy -> Bool in
            if busy { return false }
            busy = true
            return true
        }
        guard start else { return }
        queue.async(group: group) { [busy] in
            update()
            busy.withValue { $0 = false }
        }
    }

    /// Waits for the running update, so that none lands after the stage is over.
    func waitUntilIdle() { group.wait() }
}
