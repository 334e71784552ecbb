import Foundation

extension SQLiteVideoStore {
    /// A video's record with its document version and the version its status file holds
    /// (`written`), read in one snapshot: the caller writes the status file when `version > written`,
    /// then `markStatusWritten` with this version.
    public func statusDocument(id: String) throws -> (record: VideoRecord, version: Int64, written: Int64)? {
        try withConnection { db in
            try db.transaction(.deferred) {
                guard let (version, written) = try db.queryFirst(
                    "SELECT doc_version, status_version FROM videos WHERE id = ?", [.text(id)], { ($0.int64(0), $0.int64(1)) }
                ) else {
                    return nil
                }
                guard let record = try Self.fetchVideos(db, where: "id = ?", [.text(id)]).first else { return nil }
                return (record, version, written)
            }
        }
    }

    /// Records that `status/<id>.json` now holds document `version` (never lowers it).
    public func markStatusWritten(videoId: String, version: Int64) throws {
        _ = try withConnection { db in
            try db.run("UPDATE videos SET status_version = MAX(status_version, ?) WHERE id = ?", [.integer(version), .text(videoId)])
        }
    }

    /// Videos whose status file is older than their document (a crash came between the commit
    /// and the file), oldest first.
    public func staleStatusVideoIds(limit: Int) throws -> [String] {
        try withConnection { db in
            var ids: [String] = []
            try db.query("SELECT id FROM videos WHERE doc_version > status_version ORDER BY seq LIMIT ?", [.integer(Int64(limit))]) {
                ids.append($0.string(0))
            }
            return ids
        }
    }
}
