import Foundation

/// The supersede rule of CONTRACT section 6 (see `Supersede`, the same rule for SQLite) on
/// PostgreSQL, run inside the caller's SERIALIZABLE transaction (succeed, reject, delete): two
/// daemons that change videos of one (seller, productContentId) at once cannot both commit what
/// they computed from the same snapshot — one gets 40001 and runs again. `product_holders` keeps
/// the holder of each (seller, productContentId) under a primary key, so the database itself
/// refuses a second one.
enum PostgresSupersede {
    /// Recomputes the `shown` flags of every product id `videoId` requested. Returns `videoId`
    /// followed by every other video whose shown set changed (newest first); those get `updated_at = now`.
    static func apply(_ tx: PGTransaction, videoId: String, now: Date) throws -> [String] {
        let seller = try tx.execute("SELECT seller_id FROM videos WHERE id = $1", [.text(videoId)])
        guard seller.rowCount > 0 else { throw StoreError(.notFound, "no video \(videoId)") }
        let sellerId = seller.string(0, 0)
        let products = try tx.execute(
            "SELECT DISTINCT product_content_id FROM video_products WHERE video_id = $1 ORDER BY product_content_id", [.text(videoId)])
        var changed: [String: Int64] = [:]
        for row in 0..<products.rowCount {
            for (id, seq) in try recompute(tx, sellerId: sellerId, productId: products.string(row, 0)) { changed[id] = seq }
        }
        changed[videoId] = nil
        let others = changed.sorted { $0.value > $1.value }.map(\.key)
        if !others.isEmpty {
            try tx.run("UPDATE videos SET updated_at = $1 WHERE id = ANY($2::text[])", [.text(Timestamp.iso(now)), PGArray.text(others)])
        }
        try PostgresEvents.recordSuperseded(tx, subject: videoId, now: now)
        return [videoId] + others
    }

    /// Applies the rule to one product id and records its holder; returns the (video, seq) whose flag flipped.
    private static func recompute(_ tx: PGTransaction, sellerId: String, productId: String) throws -> [(String, Int64)] {
        let rows = try tx.execute(
            """
            SELECT p.video_id, p.position, p.shown, v.seq,
                   v.status = 'SUCCESS' AND v.approval != 'REJECTED' AND NOT v.deleted,
                   v.approval != 'REJECTED' AND NOT v.deleted
            FROM video_products p JOIN videos v ON v.id = p.video_id
            WHERE p.seller_id = $1 AND p.product_content_id = $2
            """,
            [.text(sellerId), .text(productId)]
        )
        var holder: (seq: Int64, videoId: String)?
        for row in 0..<rows.rowCount where rows.bool(row, 4) {
            if holder == nil || rows.int64(row, 3) > holder!.seq { holder = (rows.int64(row, 3), rows.string(row, 0)) }
        }
        var flipped: [(String, Int64)] = []
        for row in 0..<rows.rowCount {
            let shown = rows.bool(row, 5) && (holder.map { rows.int64(row, 3) >= $0.seq } ?? true)
            guard shown != rows.bool(row, 2) else { continue }
            try tx.run("UPDATE video_products SET shown = $1 WHERE video_id = $2 AND position = $3",
                       [.bool(shown), .text(rows.string(row, 0)), .integer(rows.int64(row, 1))])
            flipped.append((rows.string(row, 0), rows.int64(row, 3)))
        }
        if let holder {
            try tx.run(
                """
                INSERT INTO product_holders (seller_id, product_content_id, video_id) VALUES ($1, $2, $3)
                ON CONFLICT (seller_id, product_content_id) DO UPDATE SET video_id = excluded.video_id
                """,
                [.text(sellerId), .text(productId), .text(holder.videoId)])
        } else {
            try tx.run("DELETE FROM product_holders WHERE seller_id = $1 AND product_content_id = $2", [.text(sellerId), .text(productId)])
        }
        return flipped
    }
}
