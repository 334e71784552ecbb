import Foundation
import IngestStore

/// Keeps `status/<videoId>.json` equal to the store: after every commit that changes documents,
/// the changed ones are rewritten atomically. Only videos that came in through this spool
/// (`origin`, `SpoolOrigin`) have status files here; in a fleet, the other spools' daemons keep
/// theirs (`Daemon.keepStatusFilesCurrent`).
public struct StatusWriter: Sendable {
    let layout: SpoolLayout
    let store: any VideoStore
    /// This spool's origin.
    public let origin: String

    /// A writer for the status files of `layout`, whose videos are those of `origin`.
    public init(layout: SpoolLayout, store: any VideoStore, origin: String) {
        self.layout = layout
        self.store = store
        self.origin = origin
    }

    /// Rewrites the status files of `videoIds` from the store, and records the document version
    /// each file now holds (a crash before that leaves the file marked stale for start-up). Ids
    /// of videos that did not come in through `origin` are skipped.
    ///
    /// Every writer of every process (daemon workers, intake, the repair pass, the CLI's
    /// `enqueue`, `approve`, `reject`, `delete`, `retry`) takes `state/status.lock` (`flock`) for
    /// the read of the snapshot, the file and the mark, and writes only when the snapshot's version
    /// is newer than the one the file holds: the newest document always wins, whoever writes last.
    ///
    /// The files of one call are one group commit (`AtomicFile.writeAll`: one fsync pass, one
    /// folder fsync) and their marks one store transaction, so intake's batches pay for durability
    /// once per batch, not once per drop.
    ///
    /// `durable` false (a running job's stage and progress, `StageContext.updateStage`) writes the
    /// files atomically but without fsync and marks nothing: the store still sees them stale, so
    /// the next durable write (the job's outcome), or the repair pass after a crash, writes them
    /// again durably. A stage change costs no disk flush; an outcome still costs one.
    public func write(videoIds: [String], durable: Bool = true) throws {
        var seen = Set<String>()
        let ids = videoIds.filter { seen.insert($0).inserted }
        guard !ids.isEmpty else { return }
        try FileLock.withExclusive(layout.statusLockPath) {
            var files: [(data: Data, path: String)] = []
            var marks: [StatusMark] = []
            for id in ids {
                guard let (video, version, written) = try store.statusDocument(id: id, origin: origin), version > written else { continue }
                files.append((AtomicFile.jsonText(StatusDocument.json(video)), layout.statusFile(videoId: id)))
                marks.append(StatusMark(videoId: id, version: version))
            }
            guard !files.isEmpty else { return }
            try AtomicFile.writeAll(files, durable: durable)
            if durable { try store.markStatusWritten(marks, origin: origin) }
        }
    }
}

/// An exclusive `flock` on a lock file for the length of one call; it serializes processes and,
/// since each call opens its own descriptor, the threads of one process as well.
enum FileLock {
    static func withExclusive<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, AtomicFile.fileMode)
        guard fd >= 0 else { throw AtomicFile.Failure(path: path, call: "open", errno: errno) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw AtomicFile.Failure(path: path, call: "flock", errno: errno) }
        }
        return try body()
    }
}
