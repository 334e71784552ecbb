import Foundation
import IngestStore

/// What the stages of one job share: the job and its lease, its video, its scratch folders and
/// the config in force when the current stage started.
///
/// Scratch: `scratch/<videoId>/g<generation>/` belongs to one claim, so a worker that lost its
/// lease and has not noticed yet never writes into the files of the worker that took over;
/// results name their files relative to `scratch/<videoId>/`, so a later claim reads them.
package final class StageContext: @unchecked Sendable {
    let runner: JobRunner
    let job: JobRecord
    let lease: LeaseToken
    let video: VideoRecord
    let isStopping: @Sendable () -> Bool
    var config: IngestConfig

    init(runner: JobRunner, job: JobRecord, lease: LeaseToken, video: VideoRecord, isStopping: @escaping @Sendable () -> Bool) {
        self.runner = runner
        self.job = job
        self.lease = lease
        self.video = video
        self.isStopping = isStopping
        self.config = runner.configSource.current
    }

    /// `scratch/<videoId>`.
    var scratch: String { runner.layout.scratchFolder(videoId: video.id) }
    /// This claim's own folder, relative to `scratch`.
    var claimFolder: String { "g\(lease.generation)" }
    /// The absolute path of a path relative to `scratch`.
    func scratchPath(_ relative: String) -> String { scratch + "/" + relative }

    /// Shows the running stage (and its progress) in the status document. Fenced by the lease.
    /// Neither the commit nor the file waits for the disk (`setProgress`, `StatusWriter.write(durable: false)`):
    /// a stage is not an outcome, and the outcome's durable write supersedes it.
    func updateStage(_ stage: String, progress: Double?) throws {
        try runner.store.setProgress(lease, stage: stage, progress: progress)
        try runner.statusWriter.write(videoIds: [video.id], durable: false)
    }

    /// Calls `body` at most every `interval` seconds (monotonic).
    package static func throttled(every interval: TimeInterval, _ body: @escaping @Sendable (Double) -> Void) -> @Sendable (Double) -> Void {
        let last = LockedValue(-Double.infinity)
        return { value in
            let now = SystemClock.monotonic()
            let due = last.withValue { last -> Bool in
                guard now - last >= interval else { return false }
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
    /// The size of the file at `path` on disk (nil when it is missing or not a regular file).
    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
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
