import Foundation

/// Records outbox events inside the transaction of the change they report, as `Events` does for
/// SQLite: a call queues the event; just before COMMIT (`PGTransaction.beforeCommit`) the video
/// is read and the routing's builder fixes the body, so the body shows the state that commits.
enum PostgresEvents {
    /// Queues `type` for `videoId` (a `video.succeeded` that also approved is followed by `video.approved`).
    static func record(_ tx: PGTransaction, _ type: EventType, videoId: String, now: Date) throws {
        guard tx.outbox != nil else { return }
        tx.beforeCommit.append { tx in
            guard let routing = tx.outbox?(), !routing.endpoints.isEmpty else { return }
            guard let video = try PostgresVideoStore.fetchVideos(tx.connection, where: "id = $1", [.text(videoId)]).first else {
                throw StoreError(.notFound, "no video \(videoId)")
            }
            try insert(tx, routing, type, video: video, removed: nil, now: now)
            if type == .succeeded && video.approval == .approved {
                try insert(tx, routing, .approved, video: video, removed: nil, now: now)
            }
        }
    }

    /// Queues `video.superseded` for every video other than `subject` that lost product ids in
    /// this transaction (collected by the `video_products_shown_changed` trigger into
    /// `event_removed_products`, which it empties: only this transaction's rows are visible to it).
    static func recordSuperseded(_ tx: PGTransaction, subject: String, now: Date) throws {
        let rows = try tx.execute("DELETE FROM event_removed_products RETURNING video_id, position, product_content_id")
        var lost: [String: [(Int64, String)]] = [:]
        for row in 0..<rows.rowCount { lost[rows.string(row, 0), default: []].append((rows.int64(row, 1), rows.string(row, 2))) }
        lost[subject] = nil
        guard tx.outbox != nil, !lost.isEmpty else { return }
        let removed = lost.mapValues { $0.sorted { $0.0 < $1.0 }.map(\.1) }
        tx.beforeCommit.append { tx in
            guard let routing = tx.outbox?(), !routing.endpoints.isEmpty else { return }
            let videos = try PostgresVideoStore.fetchVideos(tx.connection, where: "id = ANY($1::text[])", [PGArray.text(Array(removed.keys))])
            for video in videos.reversed() {  // oldest first
                try insert(tx, routing, .superseded, video: video, removed: removed[video.id], now: now)
            }
        }
    }

    private static func insert(_ tx: PGTransaction, _ routing: OutboxRouting, _ type: EventType, video: VideoRecord,
                               removed: [String]?, now: Date) throws {
        let endpoints = routing.endpoints.filter { $0.wants(type, sellerId: video.sellerId) }
        guard !endpoints.isEmpty else { return }
        let id = "evt_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let event = OutboxEvent(id: id, type: type, timestamp: Timestamp.iso(now), video: video, removedProductContentIds: removed)
        let nowMs = Timestamp.millis(now)
        let eventSeq = try tx.execute(
            "INSERT INTO events (id, type, video_id, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING seq",
            [.text(id), .text(type.rawValue), .text(video.id), .text(routing.makeBody(event)), .integer(nowMs)]
        ).int64(0, 0)
        try tx.run(
            """
            INSERT INTO deliveries (event_seq, endpoint_url, video_id, state, window_start, next_attempt_at)
            SELECT $1, url, $2, 'pending', $3, $3 FROM unnest($4::text[]) AS url
            ON CONFLICT (event_seq, endpoint_url) DO NOTHING
            """,
            [.integer(eventSeq), .text(video.id), .integer(nowMs), PGArray.text(endpoints.map(\.url))]
        )
        tx.recordedEvents = true
    }
}
