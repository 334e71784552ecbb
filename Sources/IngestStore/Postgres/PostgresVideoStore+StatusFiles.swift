import Foundation

extension PostgresVideoStore {
    /// A video's record with its document version and the version its status file holds, read in one snapshot.
    public func statusDocument(id: String) throws -> (record: VideoRecord, version: Int64, written: Int64)? {
        try snapshot { connection in
            let rows = try connection.execute("SELECT doc_version, status_version FROM videos WHERE id = $1", [.text(id)])
            guard rows.rowCount > 0, let record = try Self.fetchVideos(connection, where: "id = $1", [.text(id)]).first else { return nil }
            return (record, rows.int64(0, 0), rows.int64(0, 1))
        }
    }

    /// Records that `status/<id>.json` now holds document `version` (never lowers it).
    public func markStatusWritten(videoId: String, version: Int64) throws {
        _ = try write { tx in
            try tx.run("UPDATE videos SET status_version = GREATEST(status_version, $1) WHERE id = $2", [.integer(version), .text(videoId)])
        }
    }

    /// Videos whose status file is older than their document, oldest first.
    public func staleStatusVideoIds(limit: Int = 100_000) throws -> [String] {
        try read { connection in
            let rows = try connection.execute("SELECT id FROM videos WHERE doc_version > status_version ORDER BY seq LIMIT $1",
                                              [.integer(Int64(limit))])
            return (0..<rows.rowCount).map { rows.string($0, 0) }
        }
    }
}
