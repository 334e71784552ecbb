import Foundation
import Testing
@testable import IngestStore

/// The list's block counts (migration 4, `ListBlocks`) against a model that counts by brute force:
/// every filter's `total` and pages at offsets on and across block edges stay equal to the model
/// through inserts, outcomes and deletes.
@Suite struct ListBlocksTests {
    private struct Row { let id: String; let seller: String; var status: VideoStatus; var deleted = false }

    @Test func list_totalsAndDeepPages_matchBruteForce_throughOutcomesAndDeletes() throws {
        let fixture = try StoreFixture(.sqlite)
        let store = try fixture.openSQLite()
        let sellers = ["s0", "s1", "s2"]
        let ids = try store.createVideosInBulk((0..<3_500).map { i in newVideo(seller: sellers[i % 3]) })
        var model = ids.enumerated().map { Row(id: $0.element, seller: sellers[$0.offset % 3], status: .inProgress) }
        var random = SeededRandom(seed: 0x5eed)
        for _ in 0..<900 {
            let i = Int(random.next() % UInt64(model.count))
            guard !model[i].deleted else { continue }
            switch random.next() % 4 {
            case 0 where model[i].status == .inProgress:
                try succeed(store, model[i].id); model[i].status = .success
            case 1 where model[i].status == .inProgress:
                _ = try store.failVideo(try lease(store, model[i].id), videoId: model[i].id, errorCode: "x", errorMessage: nil); model[i].status = .failed
            case 2:
                _ = try store.delete(videoId: model[i].id); model[i].deleted = true
            default:
                break
            }
        }
        for seller in [nil] + sellers.map(Optional.some) {
            for status in [nil, VideoStatus.inProgress, .success, .failed] {
                let expected = model.filter { !$0.deleted && (seller == nil || $0.seller == seller) && (status == nil || $0.status == status) }
                    .map(\.id).reversed() as [String]
                let label = "seller \(seller ?? "any"), status \(status?.rawValue ?? "any")"
                expectEqual(try store.list(ListQuery(sellerId: seller, status: status, page: 0, size: 1)).total, expected.count, label)
                for size in [7, 100] {
                    for page in [0, 1, 1023 / size, 1024 / size, 1025 / size, 2048 / size, expected.count / size, expected.count / size + 1] {
                        let got = try store.list(ListQuery(sellerId: seller, status: status, page: page, size: size)).items.map(\.id)
                        let want = Array(expected.dropFirst(page * size).prefix(size))
                        expectEqual(got, want, "\(label), page \(page) of size \(size)")
                    }
                }
            }
        }
    }

    @Test func migration4_fillsBlockCountsFromTheRowsOfAVersion3File() throws {
        let fixture = try StoreFixture(.sqlite)
        let ids: [String]
        do {
            let store = try fixture.openSQLite()
            ids = try store.createVideosInBulk((0..<1_500).map { i in newVideo(seller: i % 2 == 0 ? "even" : "odd") })
            _ = try store.delete(videoId: ids[0])
            try succeed(store, ids[1])
            try store.withConnection { db in try SQLiteDowngrade.downgrade(db, to: 3) }
        }
        let store = try fixture.openSQLite()
        expectEqual(try store.userVersion(), SQLiteVideoStore.schemaVersion)
        expectEqual(try store.list(ListQuery()).total, 1_499)
        expectEqual(try store.list(ListQuery(sellerId: "even")).total, 749)
        expectEqual(try store.list(ListQuery(sellerId: "odd", status: .success)).total, 1)
        expectEqual(try store.list(ListQuery(page: 1_497, size: 1)).items.map(\.id), [ids[2]])
    }

    @Test func list_twentyThousandVideos_pagesAndFiltersInOrder() throws {
        let fixture = try StoreFixture(.sqlite)
        let store = try fixture.openSQLite()
        let count = 20_000
        let videos = (0..<count).map { i in
            newVideo(seller: "s\(i % 7)", products: ["p\(i % 100)", "q\(i)"])
        }
        let ids = try store.createVideosInBulk(videos)
        expectEqual(ids.count, count)

        let first = try store.list(ListQuery(page: 0, size: 100))
        expectEqual(first.total, count)
        expectEqual(first.items.map(\.id), Array(ids.suffix(100).reversed()))
        expectEqual(first.items.first?.requestedProductContentIds, ["p\((count - 1) % 100)", "q\(count - 1)"])

        let deep = try store.list(ListQuery(page: 150, size: 100))
        expectEqual(deep.items.map(\.id), Array(ids[(count - 15_100)..<(count - 15_000)].reversed()))
        expectEqual(deep.items.map(\.seq), deep.items.map(\.seq).sorted(by: >))

        let seller3 = try store.list(ListQuery(sellerId: "s3", page: 1, size: 50))
        let expected = ids.enumerated().filter { $0.offset % 7 == 3 }.map(\.element).reversed()
        expectEqual(seller3.total, expected.count)
        expectEqual(seller3.items.map(\.id), Array(Array(expected)[50..<100]))

        expectEqual(try store.list(ListQuery(id: ids[12_345])).items.map(\.id), [ids[12_345]])
        expectEqual(try store.list(ListQuery(status: .inProgress, page: 199, size: 100)).items.last?.id, ids[0])
    }
}

/// A small deterministic generator (SplitMix64), so a failing run can be repeated.
struct SeededRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
