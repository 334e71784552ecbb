import Foundation
import IngestStore

/// The API's rate limits (CONTRACT section 8: per seller and kind, fleet-wide, a sliding minute)
/// without a store transaction per request: places are reserved from the store's counts in
/// blocks (`VideoStore.reserve`) and spent here in memory, each only within the second it was
/// counted in. A block's size doubles while a second keeps emptying it (up to `maxBlock`) and
/// halves at each new second, so a seller sending 5,000 reads a second costs ~25 store
/// transactions a second, one sending one a second costs one each, as before.
///
/// Never more than the limit: every place spent was counted in the store before it was spent, in
/// the second it is spent, by a transaction that saw the whole fleet's counts. A block's unused
/// places are given back in the same transaction as the next reservation, so one daemon alone is
/// exact; places left when a seller goes quiet (or the daemon stops) stay counted until their
/// second leaves the window, which can only refuse other daemons early, never admit too many. A
/// refusal holds for the rest of its second (no place can free up in this daemon before the
/// second ends).
final class RateReservations: @unchecked Sendable {
    /// The largest block one reservation asks for.
    static let maxBlock = 256

    private let limiter: any VideoStore
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    /// One seller and kind: its current block, behind a lock of its own (held across the store
    /// call, so that threads of one seller wait for one reservation instead of making several).
    private final class Entry {
        let lock = NSLock()
        var second: Int64 = 0
        var left = 0
        var blockSize = 1
        var limit = 0
        /// The wait of a refusal in `second` under `limit`, or nil.
        var refusedWait: Int?
    }

    init(limiter: any VideoStore) { self.limiter = limiter }

    /// Counts one request; nil when admitted, else the seconds until a place frees up (`Retry-After`).
    func take(sellerId: String, kind: String, limit: Int, now: Date = Date()) throws -> Int? {
        let second = Int64(now.timeIntervalSince1970.rounded(.down))
        let entry = lock.withLock { () -> Entry in
            let key = kind + "\u{0}" + sellerId
            if let found = entries[key] { return found }
            let made = Entry()
            entries[key] = made
            return made
        }
        entry.lock.lock()
        defer { entry.lock.unlock() }
        if entry.second == second && entry.limit == limit {
            if entry.left > 0 { entry.left -= 1; return nil }
            if let wait = entry.refusedWait { return wait }
        }
        let giveBack = entry.left > 0 && entry.second != second ? (second: entry.second, count: entry.left) : nil
        let size = entry.second == second ? min(Self.maxBlock, entry.blockSize * 2) : max(1, entry.blockSize / 2)
        // Unused places of this very second (a changed limit) stay counted: they are spent or returned later.
        let grant = try limiter.reserve(sellerId: sellerId, kind: kind, limit: limit, count: size, giveBack: giveBack, now: now)
        if giveBack != nil { entry.left = 0 }
        entry.limit = limit
        entry.blockSize = size
        switch grant {
        case .granted(let count, let grantedSecond):
            entry.second = grantedSecond
            entry.left = count - 1
            entry.refusedWait = nil
            return nil
        case .refused(let wait):
            if entry.second != second { entry.left = 0 }
            entry.second = second
            entry.refusedWait = wait
            return wait
        }
    }
}
