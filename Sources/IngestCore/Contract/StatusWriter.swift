import Foundation
import IngestStore

/// Keeps `status/<videoId>.json` equal to the store: after every commit that changes documents,
/// the changed ones are rewritten atomically.
public struct StatusWriter: Sendable {
    let layout: SpoolLayout
    let store: VideoStore

    public init(layout: SpoolLayout, store: VideoStore) {
        self.layout = layout
        self.store = store
    }

    /// Rewrites the status files of `videoIds` from the store, and records the document version
    /// each file now holds (a crash before that leaves the file marked stale for start-up).
    ///
    /// Writers in one process take turns (the workers, intake and the repair pass may rewrite the
    /// same file), so an older snapshot never replaces a newer file that is then marked current.
    public func write(videoIds: [String]) throws {
        var seen = Set<String>()
        for id in videoIds where seen.insert(id).inserted {
            try Self.turn.withLock {
                guard let (video, version) = try store.statusDocument(id: id) else { return }
                try AtomicFile.writeJSON(StatusDocument.json(video), to: layout.statusFile(videoId: id))
                try store.markStatusWritten(videoId: id, version: version)
            }
        }
    }

    private static let turn = NSLock()
}
