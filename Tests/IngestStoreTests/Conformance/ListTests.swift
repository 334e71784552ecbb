import Foundation
import Testing
@testable import IngestStore

@Suite struct ListTests {
    @Test(arguments: StoreKind.allCases)
    func list_paginatesNewestFirstWithTotal(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let ids = try (0..<25).map { _ in try create(store) }
        let newestFirst = Array(ids.reversed())
        let page0 = try store.list(ListQuery(page: 0, size: 10))
        expectEqual(page0.total, 25)
        expectEqual(page0.items.map(\.id), Array(newestFirst[0..<10]))
        let page2 = try store.list(ListQuery(page: 2, size: 10))
        expectEqual(page2.items.map(\.id), Array(newestFirst[20..<25]))
        let beyond = try store.list(ListQuery(page: 3, size: 10))
        expectEqual(beyond.total, 25)
        expectEqual(beyond.items, [])
        expectEqual(page0.items.first?.productContentIds, ["p1"])
    }

    @Test(arguments: StoreKind.allCases)
    func list_filtersBySellerStatusAndId_andHidesDeleted(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let a1 = try create(store, seller: "a")
        let a2 = try create(store, seller: "a")
        let a3 = try create(store, seller: "a")
        let b1 = try create(store, seller: "b")
        try succeed(store, a1)
        try succeed(store, b1)
        _ = try store.failVideo(try lease(store, a2), videoId: a2, errorCode: "x", errorMessage: nil)
        _ = try store.delete(videoId: a3)

        expectEqual(try store.list(ListQuery(sellerId: "a")).items.map(\.id), [a2, a1])
        expectEqual(try store.list(ListQuery(sellerId: "a")).total, 2)
        expectEqual(try store.list(ListQuery(status: .success)).items.map(\.id), [b1, a1])
        expectEqual(try store.list(ListQuery(sellerId: "a", status: .success)).items.map(\.id), [a1])
        expectEqual(try store.list(ListQuery(status: .inProgress)).total, 0)
        expectEqual(try store.list(ListQuery(id: b1)).items.map(\.id), [b1])
        expectEqual(try store.list(ListQuery(sellerId: "a", id: b1)).total, 0)
        expectEqual(try store.list(ListQuery(id: a3)).total, 0)
        expectEqual(try store.list(ListQuery()).total, 3)
    }

    @Test(arguments: StoreKind.allCases)
    func list_invalidPageOrSize_throwsMisuse(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        assertStoreError(.misuse) { _ = try store.list(ListQuery(page: -1, size: 10)) }
        assertStoreError(.misuse) { _ = try store.list(ListQuery(page: 0, size: 0)) }
    }
}
