import Foundation
@testable import IngestStore
import Testing

@Suite struct RateLimiterTests {
    @Test(arguments: StoreKind.allCases)
    func take_countsASlidingMinute_perSellerAndKind_acrossConnections(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let a = try fixture.openStore()
        let b = try fixture.openStore()  // another daemon on the same store
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        for i in 0..<3 { expectNil(try a.take(sellerId: "s1", kind: "create", limit: 5, now: t0.addingTimeInterval(Double(i) * 10))) }
        for _ in 0..<2 { expectNil(try b.take(sellerId: "s1", kind: "create", limit: 5, now: t0.addingTimeInterval(30))) }
        // Five in the minute: the sixth waits until the first (t0) leaves the window at t0 + 60.
        expectEqual(try a.take(sellerId: "s1", kind: "create", limit: 5, now: t0.addingTimeInterval(40)), 20)
        expectNil(try a.take(sellerId: "s2", kind: "create", limit: 5, now: t0.addingTimeInterval(40)), "another seller")
        expectNil(try a.take(sellerId: "s1", kind: "read", limit: 5, now: t0.addingTimeInterval(40)), "another kind")
        expectNil(try b.take(sellerId: "s1", kind: "create", limit: 5, now: t0.addingTimeInterval(60)), "t0 left the window")
        expectEqual(try b.take(sellerId: "s1", kind: "create", limit: 5, now: t0.addingTimeInterval(60.5)), 10)
    }
}

/// The list's block counts (kept by triggers) give the same totals as counting the rows.
@Suite struct VideoCountTests {
    @Test(arguments: StoreKind.allCases)
    func listTotals_followCreatesOutcomesDeletesAndRejects(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        var ids: [String] = []
        for i in 0..<6 {
            let video = NewVideo(sellerId: i < 4 ? "a" : "b", title: "Video \(i)", description: nil, videoUrl: "https://x/\(i).mp4",
                                 productContentIds: ["p\(i)"], videoContentType: "PRODUCT_PROMOTION", storeFrontCode: "TR")
            guard case .created(let id) = try store.createVideo(video, idempotencyKey: "k\(i)", bodyDigest: "d\(i)") else { return fail() }
            ids.append(id)
        }
        _ = try store.failVideo(try lease(store, ids[0]), videoId: ids[0], errorCode: "seller.integration.video.download.failed", errorMessage: "x")
        _ = try store.succeedVideo(try lease(store, ids[1]), videoId: ids[1], optimizedVideoUrl: "file:///v", posterUrl: nil, durationSeconds: 10, autoApprove: false)
        _ = try store.delete(videoId: ids[2])
        _ = try store.reject(videoId: ids[1], reason: nil)
        func total(_ seller: String?, _ status: VideoStatus?) throws -> Int {
            try store.list(ListQuery(sellerId: seller, status: status, page: 0, size: 10)).total
        }
        expectEqual(try total("a", nil), 3)
        expectEqual(try total("a", .failed), 1)
        expectEqual(try total("a", .success), 1)
        expectEqual(try total("a", .inProgress), 1)
        expectEqual(try total("b", nil), 2)
        expectEqual(try total(nil, nil), 5)
        expectEqual(try total(nil, .inProgress), 3)
        expectEqual(try store.list(ListQuery(sellerId: "a", id: ids[2], page: 0, size: 10)).total, 0, "deleted")
        expectEqual(try store.list(ListQuery(sellerId: "a", id: ids[3], page: 0, size: 10)).total, 1)
    }
}
