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
    public func write(videoIds: [String]) throws {
        var seen = Set<String>()
        for id in videoIds where seen.insert(id).inserted {
            guard let (video, version) = try store.statusDocument(id: id) else { continue }
            try AtomicFile.writeJSON(StatusDocument.json(video), to: layout.statusFile(videoId: id))
            try store.markStatusWritten(videoId: id, version: version)
        }
    }
}
