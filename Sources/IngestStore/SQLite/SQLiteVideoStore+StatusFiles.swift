import Foundation

extension SQLiteVideoStore {
    /// A video's record with its document version and the version `origin`'s status file holds
    /// (`written`), read in one snapshot; nil for an unknown video or one not from `origin`.
    public func statusDocument(id: String, origin: String) throws -> (record: VideoRecord, version: Int64, written: Int64)? {
        try withConnection { db in
            try db.transaction(.deferred) {
                guard let (version, written) = try db.queryFirst(
                    """
                    SELECT v.doc_version, o.status_version FROM videos v JOIN video_origins o ON o.video_id = v.id
                    WHERE v.id = ? AND o.origin = ?
                    """,
                    [.text(id), .text(origin)], { ($0.int64(0), $0.int64(1)) }
                ) else {
                    return nil
                }
                guard let record = try Self.fetchVideos(db, where: "id = ?", [.text(id)]).first else { return nil }
                return (record, version, written)
            }
        }
    }

    /// Records that `origin`'s status file of each mark now holds its document version (never
    /// lowers it), in one transaction, committed with `synchronous=NORMAL`: a mark lost to a power
    /// cut only makes the repair pass write that (fsynced) file again.
    public func markStatusWritten(_ marks: [StatusMark], origin: String) throws {
        guard !marks.isEmpty else { return }
        try writeTransactionWithoutFlush { db in
            for mark in marks {
                try db.run("UPDATE video_origins SET status_version = MAX(status_version, ?) WHERE video_id = ? AND origin = ?",
                           [.integer(mark.version), .text(mark.videoId), .text(origin)])
            }
        }
    }

    /// The videos from `origin` whose status file there is older than their document, oldest first
    /// (the partial index `video_origins_stale` holds only those).
    public func staleStatusVideoIds(origin: String, limit: Int) throws -> [String] {
        try withConnection { db in
            var ids: [String] = []
            try db.query(
                """
                SELECT o.video_id FROM video_origins o JOIN videos v ON v.id = o.video_id
                WHERE o.origin = ? AND o.doc_version > o.status_version ORDER BY v.seq LIMIT ?
                """,
                [.text(origin), .integer(Int64(limit))]
            ) { ids.append($0.string(0)) }
            return ids
        }
    }

    /// The origins a video came in through, sorted.
    public func origins(videoId: String) throws -> [String] {
        try withConnection { db in
            var origins: [String] = []
            try db.query("SELECT origin FROM video_origins WHERE video_id = ? ORDER BY origin", [.text(videoId)]) { origins.append($0.string(0)) }
            return origins
        }
    }

    /// Records `origin` as one of the video's origins, in the open transaction (a repeat changes nothing).
    static func recordOrigin(_ db: Database, videoId: String, origin: String) throws {
        try db.run(
            """
            INSERT INTO video_origins (video_id, origin, doc_version) SELECT id, ?, doc_version FROM videos WHERE id = ?
            ON CONFLICT (video_id, origin) DO NOTHING
            """,
            [.text(origin), .text(videoId)]
        )
    }
}
