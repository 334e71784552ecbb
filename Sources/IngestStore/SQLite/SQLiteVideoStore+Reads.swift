import Foundation

/// The fields that decide which operations a video allows.
struct VideoState {
    let status: VideoStatus
    let approval: ApprovalState
    let deleted: Bool
}

extension SQLiteVideoStore {
    /// One video, deleted ones included (with `deleted` set); nil for an unknown id.
    public func video(id: String) throws -> VideoRecord? {
        try withConnection { db in
            try Self.fetchVideos(db, where: "id = ?", [.text(id)]).first
        }
    }

    /// One page of the videos that are not deleted, newest first (seq DESC), filtered by
    /// seller, id, status and stuck jobs (combined with AND). `total` counts every match.
    /// Throws `.misuse` for a negative page or a size below 1.
    ///
    /// Without an id or the stuck filter, neither `total` nor a deep page walks the matching rows:
    /// both come from the block counts of `ListBlocks`, and the page's rows from the list index
    /// starting in their block.
    public func list(_ q: ListQuery) throws -> ListPage {
        guard q.page >= 0, q.size >= 1 else {
            throw StoreError(.misuse, "page must be >= 0 and size >= 1 (got page \(q.page), size \(q.size))")
        }
        var conditions = ["deleted = 0"]
        var params: [SQLValue] = []
        if let sellerId = q.sellerId { conditions.append("seller_id = ?"); params.append(.text(sellerId)) }
        if let status = q.status { conditions.append("status = ?"); params.append(.text(status.rawValue)) }
        if let id = q.id { conditions.append("id = ?"); params.append(.text(id)) }
        if q.stuck { conditions.append("id IN (SELECT video_id FROM jobs WHERE state = 'stuck')") }
        let filter = conditions.joined(separator: " AND ")
        let (offset, overflow) = q.page.multipliedReportingOverflow(by: q.size)
        guard !overflow else { throw StoreError(.misuse, "page \(q.page) is out of range") }
        return try withConnection { db in
            // One snapshot, so that `total` and the items agree while other processes write.
            try db.transaction(.deferred) {
                let total: Int
                var start = ListBlocks.Start(seqBelow: nil, skip: offset)
                if q.id != nil || q.stuck {
                    // Few rows (one id; the jobs parked stuck), outside the block counts: count them.
                    total = Int(try db.queryFirst("SELECT COUNT(*) FROM videos WHERE \(filter)", params) { $0.int64(0) } ?? 0)
                } else {
                    let status = q.status?.rawValue
                    total = try ListBlocks.total(db, sellerId: q.sellerId, status: status)
                    guard offset < total else { return ListPage(total: total, items: []) }
                    start = try ListBlocks.start(db, sellerId: q.sellerId, status: status, offset: offset)
                }
                let bound = start.seqBelow.map { " AND seq < \($0)" } ?? ""
                // The page's seqs come from the covering index alone; only those rows are read.
                let items = try Self.fetchVideos(
                    db,
                    where: "seq IN (SELECT seq FROM videos WHERE \(filter)\(bound) ORDER BY seq DESC LIMIT ? OFFSET ?)",
                    params + [.integer(Int64(q.size)), .integer(Int64(start.skip))]
                )
                return ListPage(total: total, items: items)
            }
        }
    }

    /// Every video id, deleted ones included, oldest first (to rewrite status files).
    public func allVideoIds() throws -> [String] {
        try withConnection { db in
            var ids: [String] = []
            try db.query("SELECT id FROM videos ORDER BY seq") { ids.append($0.string(0)) }
            return ids
        }
    }

    /// Status, approval and deleted flag of a video, or nil.
    static func videoState(_ db: Database, videoId: String) throws -> VideoState? {
        try db.queryFirst("SELECT status, approval, deleted FROM videos WHERE id = ?", [.text(videoId)]) { row in
            VideoState(status: try status(row, 0), approval: try approval(row, 1), deleted: row.int64(2) != 0)
        }
    }

    /// The videos matching `condition`, newest first, with their product ids (one query for all of them).
    static func fetchVideos(_ db: Database, where condition: String, _ params: [SQLValue]) throws -> [VideoRecord] {
        var videos: [VideoRecord] = []
        try db.query(
            """
            SELECT id, seq, seller_id, title, description, video_url, video_content_type, store_front_code,
                   status, error_code, error_message, optimized_video_url, poster_url, duration_seconds,
                   approval, reject_reason, deleted, stage, progress, created_at, updated_at
            FROM videos WHERE \(condition) ORDER BY seq DESC
            """,
            params
        ) { row in
            videos.append(VideoRecord(
                id: row.string(0), seq: row.int64(1), sellerId: row.string(2), title: row.string(3),
                description: row.optionalString(4), videoUrl: row.string(5),
                productContentIds: [], requestedProductContentIds: [],
                videoContentType: row.string(6), storeFrontCode: row.string(7), status: try status(row, 8),
                errorCode: row.optionalString(9), errorMessage: row.optionalString(10),
                optimizedVideoUrl: row.optionalString(11), posterUrl: row.optionalString(12),
                durationSeconds: row.optionalDouble(13), approval: try approval(row, 14),
                rejectReason: row.optionalString(15), deleted: row.int64(16) != 0, stage: row.optionalString(17),
                progress: row.optionalDouble(18), createdAt: row.string(19), updatedAt: row.string(20)
            ))
        }
        guard !videos.isEmpty else { return [] }
        var index: [String: Int] = [:]
        for (i, video) in videos.enumerated() { index[video.id] = i }
        let placeholders = Array(repeating: "?", count: videos.count).joined(separator: ", ")
        try db.query(
            """
            SELECT video_id, product_content_id, shown FROM video_products
            WHERE video_id IN (\(placeholders)) ORDER BY video_id, position
            """,
            videos.map { .text($0.id) }
        ) { row in
            guard let i = index[row.string(0)] else { return }
            let productId = row.string(1)
            videos[i].requestedProductContentIds.append(productId)
            if row.int64(2) != 0 { videos[i].productContentIds.append(productId) }
        }
        return videos
    }

    private static func status(_ row: Row, _ column: Int32) throws -> VideoStatus {
        guard let value = VideoStatus(rawValue: row.string(column)) else {
            throw StoreError(.corrupt, "unknown video status '\(row.string(column))'")
        }
        return value
    }

    private static func approval(_ row: Row, _ column: Int32) throws -> ApprovalState {
        guard let value = ApprovalState(rawValue: row.string(column)) else {
            throw StoreError(.corrupt, "unknown approval state '\(row.string(column))'")
        }
        return value
    }
}
