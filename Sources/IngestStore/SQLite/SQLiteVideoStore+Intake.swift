import Foundation

extension SQLiteVideoStore {
    /// Stores a batch of drops in one IMMEDIATE transaction (one commit, one fsync), as
    /// `VideoStore.createVideos`: per request, the same (seller, key) with the same `bodyDigest`
    /// returns `.existing` with the first video's id; with another digest `.keyReused`. Otherwise
    /// it inserts the video (IN_PROGRESS, a new lowercase UUID, the next seq), its product ids
    /// (all shown), an available job runnable at `now`, and the key.
    public func createVideos(_ requests: [CreateRequest], now: Date) throws -> [CreateOutcome] {
        guard !requests.isEmpty else { return [] }
        return try writeTransaction { db in
            try requests.map { try Self.create(db, $0.video, idempotencyKey: $0.idempotencyKey, bodyDigest: $0.bodyDigest, now: now) }
        }
    }

    /// The video and body digest remembered for a seller's idempotency key, or nil.
    public func lookupKey(sellerId: String, key: String) throws -> (videoId: String, bodyDigest: String)? {
        try withConnection { db in try Self.lookupKey(db, sellerId: sellerId, key: key) }
    }

    /// Forgets idempotency keys created before `olderThan`; returns how many were removed.
    /// The contract keeps keys at least 24 hours: the caller chooses the horizon.
    public func pruneKeys(olderThan: Date) throws -> Int {
        try writeTransaction { db in
            try db.run("DELETE FROM idempotency_keys WHERE created_at < ?", [.integer(Timestamp.millis(olderThan))])
        }
    }

    /// How many videos `sellerId` created at or after `since` (for the per-seller create rate).
    public func countCreates(sellerId: String, since: Date) throws -> Int {
        try withConnection { db in
            let count = try db.queryFirst(
                "SELECT COUNT(*) FROM videos WHERE seller_id = ? AND created_at >= ?",
                [.text(sellerId), .text(Timestamp.iso(since))]
            ) { $0.int64(0) }
            return Int(count ?? 0)
        }
    }

    private static func lookupKey(_ db: Database, sellerId: String, key: String) throws -> (videoId: String, bodyDigest: String)? {
        try db.queryFirst(
            "SELECT video_id, body_digest FROM idempotency_keys WHERE seller_id = ? AND key = ?",
            [.text(sellerId), .text(key)]
        ) { (videoId: $0.string(0), bodyDigest: $0.string(1)) }
    }

    private static func create(
        _ db: Database, _ video: NewVideo, idempotencyKey: String, bodyDigest: String, now: Date
    ) throws -> CreateOutcome {
        if let known = try lookupKey(db, sellerId: video.sellerId, key: idempotencyKey) {
            guard known.bodyDigest == bodyDigest else { return .keyReused(existingVideoId: known.videoId) }
            try recordOrigin(db, videoId: known.videoId, origin: video.origin)
            return .existing(videoId: known.videoId)
        }
        let id = UUID().uuidString.lowercased()
        let stamp = Timestamp.iso(now)
        try db.run(
            """
            INSERT INTO videos (id, seller_id, title, description, video_url, video_content_type, store_front_code,
                                status, approval, deleted, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'IN_PROGRESS', 'PENDING', 0, ?, ?)
            """,
            [.text(id), .text(video.sellerId), .text(video.title), .text(video.description), .text(video.videoUrl),
             .text(video.videoContentType), .text(video.storeFrontCode), .text(stamp), .text(stamp)]
        )
        for (position, productId) in video.productContentIds.enumerated() {
            try db.run(
                "INSERT INTO video_products (video_id, position, seller_id, product_content_id, shown) VALUES (?, ?, ?, ?, 1)",
                [.text(id), .integer(Int64(position)), .text(video.sellerId), .text(productId)]
            )
        }
        try db.run(
            "INSERT INTO jobs (video_id, state, attempt, fault_attempts, run_at) VALUES (?, 'available', 0, 0, ?)",
            [.text(id), .integer(Timestamp.millis(now))]
        )
        try db.run(
            "INSERT INTO idempotency_keys (seller_id, key, body_digest, video_id, created_at) VALUES (?, ?, ?, ?, ?)",
            [.text(video.sellerId), .text(idempotencyKey), .text(bodyDigest), .text(id), .integer(Timestamp.millis(now))]
        )
        try recordOrigin(db, videoId: id, origin: video.origin)
        return .created(videoId: id)
    }
}
