import Foundation

extension PostgresVideoStore {
    /// The columns `fetchVideos` reads; times as ISO-8601 UTC text with milliseconds, as `Timestamp.iso` writes them.
    private static let videoColumns = """
        id, seq, seller_id, title, description, video_url, video_content_type, store_front_code,
        status, error_code, error_message, optimized_video_url, poster_url, duration_seconds,
        approval, reject_reason, deleted, stage, progress,
        to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
        """

    /// One video, deleted ones included (with `deleted` set); nil for an unknown id.
    public func video(id: String) throws -> VideoRecord? {
        try read { try Self.fetchVideos($0, where: "id = $1", [.text(id)]).first }
    }

    /// One page of the videos that are not deleted, newest first, filtered by seller, id, status
    /// and stuck jobs (AND), as `VideoStore.list`: `total` and deep pages come from the block
    /// counts (`video_list_blocks`), read in one snapshot with the items.
    /// Throws `.misuse` for a negative page or a size below 1.
    public func list(_ q: ListQuery) throws -> ListPage {
        guard q.page >= 0, q.size >= 1 else {
            throw StoreError(.misuse, "page must be >= 0 and size >= 1 (got page \(q.page), size \(q.size))")
        }
        var conditions = ["NOT deleted"]
        var params: [SQLValue] = []
        func add(_ column: String, _ value: String) {
            params.append(.text(value))
            conditions.append("\(column) = $\(params.count)")
        }
        if let sellerId = q.sellerId { add("seller_id", sellerId) }
        if let status = q.status { add("status", status.rawValue) }
        if let id = q.id { add("id", id) }
        if q.stuck { conditions.append("id IN (SELECT video_id FROM jobs WHERE state = 'stuck')") }
        let filter = conditions.joined(separator: " AND ")
        let (offset, overflow) = q.page.multipliedReportingOverflow(by: q.size)
        guard !overflow else { throw StoreError(.misuse, "page \(q.page) is out of range") }
        return try snapshot { connection in
            let total: Int
            var start = ListBlocks.Start(seqBelow: nil, skip: offset)
            if q.id != nil || q.stuck {
                total = Int(try connection.execute("SELECT COUNT(*) FROM videos WHERE \(filter)", params).int64(0, 0))
            } else {
                let keys: [SQLValue] = [.text(q.sellerId ?? ListBlocks.any), .text(q.status?.rawValue ?? ListBlocks.any)]
                total = Int(try connection.execute(
                    "SELECT COALESCE(SUM(n), 0) FROM video_list_blocks WHERE seller_id = $1 AND status = $2", keys
                ).int64(0, 0))
                guard offset < total else { return ListPage(total: total, items: []) }
                if offset >= 1 << ListBlocks.shift {
                    let blocks = try connection.execute(
                        "SELECT block, n FROM video_list_blocks WHERE seller_id = $1 AND status = $2 AND n > 0 ORDER BY block DESC", keys)
                    var passed = 0
                    for row in 0..<blocks.rowCount {
                        let n = Int(blocks.int64(row, 1))
                        if passed + n > offset {
                            start = ListBlocks.Start(seqBelow: (blocks.int64(row, 0) + 1) << ListBlocks.shift, skip: offset - passed)
                            break
                        }
                        passed += n
                    }
                }
            }
            var pageParams = params
            var bound = ""
            if let below = start.seqBelow {
                pageParams.append(.integer(below))
                bound = " AND seq < $\(pageParams.count)"
            }
            pageParams += [.integer(Int64(q.size)), .integer(Int64(start.skip))]
            let items = try Self.fetchVideos(
                connection,
                where: "seq IN (SELECT seq FROM videos WHERE \(filter)\(bound) ORDER BY seq DESC LIMIT $\(pageParams.count - 1) OFFSET $\(pageParams.count))",
                pageParams
            )
            return ListPage(total: total, items: items)
        }
    }

    /// Every video id, deleted ones included, oldest first.
    public func allVideoIds() throws -> [String] {
        try read { connection in
            let rows = try connection.execute("SELECT id FROM videos ORDER BY seq")
            return (0..<rows.rowCount).map { rows.string($0, 0) }
        }
    }

    /// Status, approval and deleted flag of a video, or nil.
    static func videoState(_ connection: PGConnection, videoId: String) throws -> VideoState? {
        let rows = try connection.execute("SELECT status, approval, deleted FROM videos WHERE id = $1", [.text(videoId)])
        guard rows.rowCount > 0 else { return nil }
        return VideoState(status: try status(rows.string(0, 0)), approval: try approval(rows.string(0, 1)), deleted: rows.bool(0, 2))
    }

    /// The videos matching `condition` (parameters `$1…`), newest first, with their product ids.
    static func fetchVideos(_ connection: PGConnection, where condition: String, _ params: [SQLValue]) throws -> [VideoRecord] {
        let rows = try connection.execute("SELECT \(videoColumns) FROM videos WHERE \(condition) ORDER BY seq DESC", params)
        var videos: [VideoRecord] = []
        for row in 0..<rows.rowCount {
            videos.append(VideoRecord(
                id: rows.string(row, 0), seq: rows.int64(row, 1), sellerId: rows.string(row, 2), title: rows.string(row, 3),
                description: rows.optionalString(row, 4), videoUrl: rows.string(row, 5),
                productContentIds: [], requestedProductContentIds: [],
                videoContentType: rows.string(row, 6), storeFrontCode: rows.string(row, 7), status: try status(rows.string(row, 8)),
                errorCode: rows.optionalString(row, 9), errorMessage: rows.optionalString(row, 10),
                optimizedVideoUrl: rows.optionalString(row, 11), posterUrl: rows.optionalString(row, 12),
                durationSeconds: rows.optionalDouble(row, 13), approval: try approval(rows.string(row, 14)),
                rejectReason: rows.optionalString(row, 15), deleted: rows.bool(row, 16), stage: rows.optionalString(row, 17),
                progress: rows.optionalDouble(row, 18), createdAt: rows.string(row, 19), updatedAt: rows.string(row, 20)
            ))
        }
        guard !videos.isEmpty else { return [] }
        var index: [String: Int] = [:]
        for (i, video) in videos.enumerated() { index[video.id] = i }
        let products = try connection.execute(
            "SELECT video_id, product_content_id, shown FROM video_products WHERE video_id = ANY($1::text[]) ORDER BY video_id, position",
            [PGArray.text(videos.map(\.id))]
        )
        for row in 0..<products.rowCount {
            guard let i = index[products.string(row, 0)] else { continue }
            let productId = products.string(row, 1)
            videos[i].requestedProductContentIds.append(productId)
            if products.bool(row, 2) { videos[i].productContentIds.append(productId) }
        }
        return videos
    }

    private static func status(_ text: String) throws -> VideoStatus {
        guard let value = VideoStatus(rawValue: text) else { throw StoreError(.corrupt, "unknown video status '\(text)'") }
        return value
    }

    private static func approval(_ text: String) throws -> ApprovalState {
        guard let value = ApprovalState(rawValue: text) else { throw StoreError(.corrupt, "unknown approval state '\(text)'") }
        return value
    }
}
