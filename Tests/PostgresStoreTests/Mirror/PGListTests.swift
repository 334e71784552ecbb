// A mirror of Tests/IngestStoreTests/ListTests.swift run against PostgresVideoStore (made mechanically:
// StoreTestCase -> PGStoreTestCase, VideoStore -> PostgresVideoStore; SQLite file-upgrade cases left out).
// It goes away when the shared conformance suite runs these cases against both drivers.
import Foundation
import XCTest
@testable import IngestStore

final class PGListTests: PGStoreTestCase {
    func testList_paginatesNewestFirstWithTotal() throws {
        let store = try openStore()
        let ids = try (0..<25).map { _ in try create(store) }
        let newestFirst = Array(ids.reversed())
        let page0 = try store.list(ListQuery(page: 0, size: 10))
        XCTAssertEqual(page0.total, 25)
        XCTAssertEqual(page0.items.map(\.id), Array(newestFirst[0..<10]))
        let page2 = try store.list(ListQuery(page: 2, size: 10))
        XCTAssertEqual(page2.items.map(\.id), Array(newestFirst[20..<25]))
        let beyond = try store.list(ListQuery(page: 3, size: 10))
        XCTAssertEqual(beyond.total, 25)
        XCTAssertEqual(beyond.items, [])
        XCTAssertEqual(page0.items.first?.productContentIds, ["p1"])
    }

    func testList_filtersBySellerStatusAndId_andHidesDeleted() throws {
        let store = try openStore()
        let a1 = try create(store, seller: "a")
        let a2 = try create(store, seller: "a")
        let a3 = try create(store, seller: "a")
        let b1 = try create(store, seller: "b")
        try succeed(store, a1)
        try succeed(store, b1)
        _ = try store.failVideo(try lease(store, a2), videoId: a2, errorCode: "x", errorMessage: nil)
        _ = try store.delete(videoId: a3)

        XCTAssertEqual(try store.list(ListQuery(sellerId: "a")).items.map(\.id), [a2, a1])
        XCTAssertEqual(try store.list(ListQuery(sellerId: "a")).total, 2)
        XCTAssertEqual(try store.list(ListQuery(status: .success)).items.map(\.id), [b1, a1])
        XCTAssertEqual(try store.list(ListQuery(sellerId: "a", status: .success)).items.map(\.id), [a1])
        XCTAssertEqual(try store.list(ListQuery(status: .inProgress)).total, 0)
        XCTAssertEqual(try store.list(ListQuery(id: b1)).items.map(\.id), [b1])
        XCTAssertEqual(try store.list(ListQuery(sellerId: "a", id: b1)).total, 0)
        XCTAssertEqual(try store.list(ListQuery(id: a3)).total, 0)
        XCTAssertEqual(try store.list(ListQuery()).total, 3)
    }

    func testList_invalidPageOrSize_throwsMisuse() throws {
        let store = try openStore()
        assertStoreError(.misuse) { _ = try store.list(ListQuery(page: -1, size: 10)) }
        assertStoreError(.misuse) { _ = try store.list(ListQuery(page: 0, size: 0)) }
    }

    func testList_twentyThousandVideos_pagesAndFiltersInOrder() throws {
        let store = try openStore()
        let count = 20_000
        let videos = (0..<count).map { i in
            newVideo(seller: "s\(i % 7)", products: ["p\(i % 100)", "q\(i)"])
        }
        let ids = try store.createVideosInBulk(videos)
        XCTAssertEqual(ids.count, count)

        let first = try store.list(ListQuery(page: 0, size: 100))
        XCTAssertEqual(first.total, count)
        XCTAssertEqual(first.items.map(\.id), Array(ids.suffix(100).reversed()))
        XCTAssertEqual(first.items.first?.requestedProductContentIds, ["p\((count - 1) % 100)", "q\(count - 1)"])

        let deep = try store.list(ListQuery(page: 150, size: 100))
        XCTAssertEqual(deep.items.map(\.id), Array(ids[(count - 15_100)..<(count - 15_000)].reversed()))
        XCTAssertEqual(deep.items.map(\.seq), deep.items.map(\.seq).sorted(by: >))

        let seller3 = try store.list(ListQuery(sellerId: "s3", page: 1, size: 50))
        let expected = ids.enumerated().filter { $0.offset % 7 == 3 }.map(\.element).reversed()
        XCTAssertEqual(seller3.total, expected.count)
        XCTAssertEqual(seller3.items.map(\.id), Array(Array(expected)[50..<100]))

        XCTAssertEqual(try store.list(ListQuery(id: ids[12_345])).items.map(\.id), [ids[12_345]])
        XCTAssertEqual(try store.list(ListQuery(status: .inProgress, page: 199, size: 100)).items.last?.id, ids[0])
    }
}
