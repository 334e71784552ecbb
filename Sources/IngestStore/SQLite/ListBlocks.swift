/// Counts of listed videos (not deleted) per block of 1024 consecutive `seq` values, per
/// (seller, status), kept by triggers in the same transaction as every change (migration 4):
/// `total` is a sum over at most `maxSeq / 1024` rows instead of a count of every match, and a
/// deep page starts its index walk in the block that holds its first row instead of stepping
/// over every row before it. `*` stands for "every seller" and "every status" (neither is a
/// valid sellerId or status).
enum ListBlocks {
    /// log2 of the block size.
    static let shift: Int64 = 10
    /// The key of "no filter" on a column.
    static let any = "*"

    /// Where the walk for the row at `offset` (0-based, newest first) starts.
    struct Start {
        /// Rows with `seq` below this bound hold the row at `offset` (nil: from the newest).
        var seqBelow: Int64?
        /// Matching rows to skip below `seqBelow`; always less than one block.
        var skip: Int
    }

    /// How many listed videos match `sellerId` and `status` (nil: any).
    static func total(_ db: Database, sellerId: String?, status: String?) throws -> Int {
        let count = try db.queryFirst(
            "SELECT COALESCE(SUM(n), 0) FROM video_list_blocks WHERE seller_id = ? AND status = ?",
            [.text(sellerId ?? any), .text(status ?? any)]
        ) { $0.int64(0) } ?? 0
        return Int(count)
    }

    /// The block that holds the row at `offset`, walking the block counts newest first.
    static func start(_ db: Database, sellerId: String?, status: String?, offset: Int) throws -> Start {
        var start = Start(seqBelow: nil, skip: offset)
        guard offset >= 1 << shift else { return start }
        var passed = 0
        try db.queryWhile(
            "SELECT block, n FROM video_list_blocks WHERE seller_id = ? AND status = ? AND n > 0 ORDER BY block DESC",
            [.text(sellerId ?? any), .text(status ?? any)]
        ) { row in
            let n = Int(row.int64(1))
            guard passed + n > offset else {
                passed += n
                return true
            }
            start = Start(seqBelow: (row.int64(0) + 1) << shift, skip: offset - passed)
            return false
        }
        return start
    }
}
