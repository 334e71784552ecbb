// A mirror of Tests/IngestStoreTests/ListBlocksTests.swift run against PostgresVideoStore (made mechanically:
// StoreTestCase -> PGStoreTestCase, VideoStore -> PostgresVideoStore; SQLite file-upgrade cases left out).
// It goes away when the shared conformance suite runs these cases against both drivers.
import Foundation
import XCTest
@testable import IngestStore

/// The list's block counts (migration 4, `ListBlocks`) against a model that counts by brute force:
/// every filter's `total` and pages at offsets on and across block edges stay equal to the model
/// through inserts, outcomes and deletes.
final class PGListBlocksTests: PGStoreTestCase {
    private struct Row { let id: String; let seller: String; var status: VideoStatus; var deleted = false }

    func testList_totalsAndDeepPages_matchBruteForce_throughOutcomesAndDeletes() throws {
        let store = try openStore()
        let sellers = ["s0", "s1", "s2"]
        let ids = try store.createVideosInBulk((0..<3_500).map { i in newVideo(seller: sellers[i % 3]) })
        var model = ids.enumerated().map { Row(id: $0.element, seller: sellers[$0.offset % 3], status: .inProgress) }
        var random = PGSeededRandom(seed: 0x5eed)
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
                XCTAssertEqual(try store.list(ListQuery(sellerId: seller, status: status, page: 0, size: 1)).total, expected.count, label)
                for size in [7, 100] {
                    for page in [0, 1, 1023 / size, 1024 / size, 1025 / size, 2048 / size, expected.count / size, expected.count / size + 1] {
                        let got = try store.list(ListQuery(sellerId: seller, status: status, page: page, size: size)).items.map(\.id)
                        let want = Array(expected.dropFirst(page * size).prefix(size))
                        XCTAssertEqual(got, want, "\(label), page \(page) of size \(size)")
                    }
                }
            }
        }
    }

}

/// A small deterministic generator (SplitMix64), so a failing run can be repeated.
struct PGSeededRandom {
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
