import Foundation

/// The SQLite driver's side of the supersede rule (`SupersedeRule`): reads the claims of each
/// product id, writes the flags that flip.
///
/// Callers run it inside the same transaction as the change that triggered it
/// (succeed, reject, delete).
enum Supersede {
    private typealias Claim = SupersedeRule.Claim

    /// Recomputes the `shown` flags of every product id `videoId` requested.
    /// Returns `videoId` followed by every other video whose shown set changed
    /// (newest first); those get `updated_at = now`.
    static func apply(_ db: Database, videoId: String, now: Date) throws -> [String] {
        guard let sellerId = try db.queryFirst("SELECT seller_id FROM videos WHERE id = ?", [.text(videoId)], { $0.string(0) }) else {
            throw StoreError(.notFound, "no video \(videoId)")
        }
        var productIds: [String] = []
        try db.query("SELECT DISTINCT product_content_id FROM video_products WHERE video_id = ?", [.text(videoId)]) {
            productIds.append($0.string(0))
        }
        var changed: [String: Int64] = [:]
        for productId in productIds {
            for claim in try recompute(db, sellerId: sellerId, productId: productId) {
                changed[claim.videoId] = claim.seq
            }
        }
        changed[videoId] = nil
        let others = changed.sorted { $0.value > $1.value }.map(\.key)
        let stamp = Timestamp.iso(now)
        for id in others {
            try db.run("UPDATE videos SET updated_at = ? WHERE id = ?", [.text(stamp), .text(id)])
        }
        try Events.recordSuperseded(db, subject: videoId, now: now)
        return [videoId] + others
    }

    /// Applies the rule to one product id; returns the claims whose flag flipped.
    private static func recompute(_ db: Database, sellerId: String, productId: String) throws -> [Claim] {
        var claims: [Claim] = []
        try db.query(
            """
            SELECT p.video_id, p.position, p.shown, v.seq,
                   v.status = 'SUCCESS' AND v.approval != 'REJECTED' AND v.deleted = 0,
                   v.approval != 'REJECTED' AND v.deleted = 0
            FROM video_products p JOIN videos v ON v.id = p.video_id
            WHERE p.seller_id = ? AND p.product_content_id = ?
            """,
            [.text(sellerId), .text(productId)]
        ) { row in
            claims.append(Claim(
                videoId: row.string(0), position: row.int64(1), shown: row.int64(2) != 0,
                seq: row.int64(3), holds: row.int64(4) != 0, eligible: row.int64(5) != 0
            ))
        }
        let flipped = SupersedeRule.flipped(claims)
        for claim in flipped {
            try db.run(
                "UPDATE video_products SET shown = ? WHERE video_id = ? AND position = ?",
                [.bool(!claim.shown), .text(claim.videoId), .integer(claim.position)]
            )
        }
        return flipped
    }
}
