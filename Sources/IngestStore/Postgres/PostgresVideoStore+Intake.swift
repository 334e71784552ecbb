import Foundation

extension PostgresVideoStore {
    /// Stores a batch of drops in one transaction, as `VideoStore.createVideos`: per request, the same (seller, key) with
    /// the same `bodyDigest` returns `.existing`, with another digest `.keyReused`; otherwise the
    /// video, its product ids, an available job and the key are inserted, and
    /// `NOTIFY video_ingest_jobs` goes out at commit. Two daemons storing the same key at once:
    /// the key's primary key refuses the second insert, whose transaction runs again and finds
    /// the first video.
    ///
    /// A batch is one transaction: one commit (one WAL flush) for all its requests.
    public func createVideos(_ requests: [CreateRequest], now: Date) throws -> [CreateOutcome] {
        guard !requests.isEmpty else { return [] }
        return try write(retryOnConstraint: true) { tx in
            try requests.map { try Self.create(tx, $0.video, idempotencyKey: $0.idempotencyKey, bodyDigest: $0.bodyDigest, now: now) }
        }
    }

    /// The video and body digest remembered for a seller's idempotency key, or nil.
    public func lookupKey(sellerId: String, key: String) throws -> (videoId: String, bodyDigest: String)? {
        try read { try Self.lookupKey($0, sellerId: sellerId, key: key) }
    }

    /// Forgets idempotency keys created before `olderThan`; returns how many were removed.
    public func pruneKeys(olderThan: Date) throws -> Int {
        try write { tx in
            try tx.run("DELETE FROM idempotency_keys WHERE created_at < $1", [.integer(Timestamp.millis(olderThan))])
        }
    }

    /// How many videos `sellerId` created at or after `since`.
    public func countCreates(sellerId: String, since: Date) throws -> Int {
        try read { connection in
            Int(try connection.execute(
                "SELECT COUNT(*) FROM videos WHERE seller_id = $1 AND created_at >= $2",
                [.text(sellerId), .text(Timestamp.iso(since))]
            ).int64(0, 0))
        }
    }

    private static func lookupKey(_ connection: PGConnection, sellerId: String, key: String) throws -> (videoId: String, bodyDigest: String)? {
        let result = try connection.execute(
            "SELECT video_id, body_digest FROM idempotency_keys WHERE seller_id = $1 AND key = $2",
            [.text(sellerId), .text(key)]
        )
        guard result.rowCount > 0 else { return nil }
        return (result.string(0, 0), result.string(0, 1))
    }

    private static func create(
        _ tx: PGTransaction, _ video: NewVideo, idempotencyKey: String, bodyDigest: String, now: Date
    ) throws -> CreateOutcome {
        if let known = try lookupKey(tx.connection, sellerId: video.sellerId, key: idempotencyKey) {
            guard known.bodyDigest == bodyDigest else { return .keyReused(existingVideoId: known.videoId) }
            try recordOrigin(tx, videoId: known.videoId, origin: video.origin)
            return .existing(videoId: known.videoId)
        }
        let id = UUID().uuidString.lowercased()
        let stamp = Timestamp.iso(now)
        // The key first: a concurrent create of the same key waits here and then fails (and retries) before writing anything.
        try tx.run(
            "INSERT INTO idempotency_keys (seller_id, key, body_digest, video_id, created_at) VALUES ($1, $2, $3, $4, $5)",
            [.text(video.sellerId), .text(idempotencyKey), .text(bodyDigest), .text(id), .integer(Timestamp.millis(now))]
        )
        try tx.run(
            """
            INSERT INTO videos (id, seller_id, title, description, video_url, video_content_type, store_front_code,
                                status, approval, deleted, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, 'IN_PROGRESS', 'PENDING', false, $8, $9)
            """,
            [.text(id), .text(video.sellerId), .text(video.title), .text(video.description), .text(video.videoUrl),
             .text(video.videoContentType), .text(video.storeFrontCode), .text(stamp), .text(stamp)]
        )
        if !video.productContentIds.isEmpty {
            try tx.run(
                """
                INSERT INTO video_products (video_id, position, seller_id, product_content_id, shown)
                SELECT $1, p.ordinality - 1, $2, p.id, true FROM unnest($3::text[]) WITH ORDINALITY AS p (id, ordinality)
                """,
                [.text(id), .text(video.sellerId), PGArray.text(video.productContentIds)]
            )
        }
        try tx.run(
            "INSERT INTO jobs (video_id, state, attempt, fault_attempts, run_at) VALUES ($1, 'available', 0, 0, $2)",
            [.text(id), .integer(Timestamp.millis(now))]
        )
        try recordOrigin(tx, videoId: id, origin: video.origin)
        try tx.execute("SELECT pg_notify($1, $2)", [.text(PGListener.channel), .text(id)])
        return .created(videoId: id)
    }
}
