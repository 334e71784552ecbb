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

    /// Rewrites the status files of `videoIds` from the store.
    public func write(videoIds: [String]) throws {
        for id in Set(videoIds) {
            guard let video = try store.video(id: id) else { continue }
            try AtomicFile.writeJSON(StatusDocument.json(video), to: layout.statusFile(videoId: id))
        }
    }
}
