import Foundation

extension PostgresVideoStore {
    /// A video's record with its document version and the version `origin`'s status file holds,
    /// read in one snapshot; nil for an unknown video or one that did not come in through `origin`.
    public func statusDocument(id: String, origin: String) throws -> (record: VideoRecord, version: Int64, written: Int64)? {
        try snapshot { connection in
            let rows = try connection.execute(
                """
                SELECT v.doc_version, o.status_version FROM videos v JOIN video_origins o ON o.video_id = v.id
                WHERE v.id = $1 AND o.origin = $2
                """,
                [.text(id), .text(origin)])
            guard rows.rowCount > 0, let record = try Self.fetchVideos(connection, where: "id = $1", [.text(id)]).first else { return nil }
            return (record, rows.int64(0, 0), rows.int64(0, 1))
        }
    }

    /// Records that `origin`'s status file of each mark now holds its document version (never
    /// lowers it), in one statement.
    public func markStatusWritten(_ marks: [StatusMark], origin: String) throws {
        guard !marks.isEmpty else { return }
        _ = try write { tx in
            try tx.execute("SET LOCAL synchronous_commit = off")  // a lost mark only rewrites a file
            try tx.run(
                """
                UPDATE video_origins o SET status_version = GREATEST(o.status_version, m.version)
                FROM unnest($1::text[], $2::bigint[]) AS m (video_id, version)
                WHERE o.video_id = m.video_id AND o.origin = $3
                """,
                [PGArray.text(marks.map(\.videoId)), PGArray.bigint(marks.map(\.version)), .text(origin)])
        }
    }

    /// The videos from `origin` whose status file there is older than their document, oldest
    /// first (the partial index `video_origins_stale` holds only those).
    public func staleStatusVideoIds(origin: String, limit: Int) throws -> [String] {
        try read { connection in
            let rows = try connection.execute(
                """
                SELECT o.video_id FROM video_origins o JOIN videos v ON v.id = o.video_id
                WHERE o.origin = $1 AND o.doc_version > o.status_version ORDER BY v.seq LIMIT $2
                """,
                [.text(origin), .integer(Int64(limit))])
            return (0..<rows.rowCount).map { rows.string($0, 0) }
        }
    }

    /// The origins a video came in through, sorted.
    public func origins(videoId: String) throws -> [String] {
        try read { connection in
            let rows = try connection.execute("SELECT origin FROM video_origins WHERE video_id = $1 ORDER BY origin", [.text(videoId)])
            return (0..<rows.rowCount).map { rows.string($0, 0) }
        }
    }

    /// Records `origin` as one of the video's origins, in the open transaction (a repeat changes nothing).
    static func recordOrigin(_ tx: PGTransaction, videoId: String, origin: String) throws {
        try tx.run(
            """
            INSERT INTO video_origins (video_id, origin, doc_version) SELECT id, $1, doc_version FROM videos WHERE id = $2
            ON CONFLICT (video_id, origin) DO NOTHING
            """,
            [.text(origin), .text(videoId)])
    }
}
