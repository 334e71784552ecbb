import Foundation

/// Records outbox events inside the transaction of the change they report (CONTRACT section 9:
/// "a crash never loses or invents one"). Every store function that makes such a change calls
/// one of these in its own transaction; nothing else creates events.
///
/// A call queues the event; at the end of the transaction, just before COMMIT
/// (`Database.beforeCommit`), the video is read and the routing's builder fixes the body, so the
/// body shows the state that commits (after supersede, whatever the order of the calls), and
/// retries resend those exact bytes. Events keep the order of the calls. An event no endpoint
/// wants is not stored.
enum Events {
    /// Queues `type` for `videoId`. A `video.succeeded` whose video the change also approved
    /// (`publish.autoApprove`) is followed by `video.approved`.
    static func record(_ db: Database, _ type: EventType, videoId: String, now: Date) throws {
        guard db.outbox != nil else { return }
        db.beforeCommit.append { db in
            guard let routing = db.outbox?(), !routing.endpoints.isEmpty else { return }
            guard let video = try SQLiteVideoStore.fetchVideos(db, where: "id = ?", [.text(videoId)]).first else {
                throw StoreError(.notFound, "no video \(videoId)")
            }
            try insert(db, routing, type, video: video, removed: nil, now: now)
            if type == .succeeded && video.approval == .approved {
                try insert(db, routing, .approved, video: video, removed: nil, now: now)
            }
        }
    }

    /// Queues `video.superseded` for every video other than `subject` that lost product ids so
    /// far in this transaction (collected by the `video_products_superseded` trigger), and
    /// empties the trigger's table. Called at the end of `Supersede.apply`.
    static func recordSuperseded(_ db: Database, subject: String, now: Date) throws {
        var lost: [String: [String]] = [:]
        try db.query("SELECT video_id, product_content_id FROM event_removed_products ORDER BY video_id, position") { row in
            lost[row.string(0), default: []].append(row.string(1))
        }
        guard !lost.isEmpty else { return }
        try db.run("DELETE FROM event_removed_products")
        lost[subject] = nil
        guard db.outbox != nil, !lost.isEmpty else { return }
        db.beforeCommit.append { db in
            guard let routing = db.outbox?(), !routing.endpoints.isEmpty else { return }
            let videos = try SQLiteVideoStore.fetchVideos(
                db, where: "id IN (\(Array(repeating: "?", count: lost.count).joined(separator: ", ")))",
                lost.keys.map { .text($0) }
            )
            for video in videos.reversed() {  // oldest first
                try insert(db, routing, .superseded, video: video, removed: lost[video.id], now: now)
            }
        }
    }

    private static func insert(_ db: Database, _ routing: OutboxRouting, _ type: EventType, video: VideoRecord,
                               removed: [String]?, now: Date) throws {
        let endpoints = routing.endpoints.filter { $0.wants(type, sellerId: video.sellerId) }
        guard !endpoints.isEmpty else { return }
        let id = "evt_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let event = OutboxEvent(id: id, type: type, timestamp: Timestamp.iso(now), video: video,
                                removedProductContentIds: removed)
        let nowMs = Timestamp.millis(now)
        try db.run(
            "INSERT INTO events (id, type, video_id, body, created_at) VALUES (?, ?, ?, ?, ?)",
            [.text(id), .text(type.rawValue), .text(video.id), .text(routing.makeBody(event)), .integer(nowMs)]
        )
        let eventSeq = db.lastInsertRowID
        for endpoint in endpoints {
            try db.run(
                """
                INSERT OR IGNORE INTO deliveries (event_seq, endpoint_url, video_id, state, window_start, next_attempt_at)
                VALUES (?, ?, ?, 'pending', ?, ?)
                """,
                [.integer(eventSeq), .text(endpoint.url), .text(video.id), .integer(nowMs), .integer(nowMs)]
            )
        }
        db.recordedEvents = true
    }
}
