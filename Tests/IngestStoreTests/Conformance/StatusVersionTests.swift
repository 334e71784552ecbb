import Foundation
import Testing
@testable import IngestStore

/// Schema v2: every document change bumps the version, so a status file the daemon did not
/// get to write after a commit is found stale at start-up.
@Suite struct StatusVersionTests {
    /// The origin `create` records (NewVideo's default).
    let local = VideoOrigin.embeddedSpool

    @Test(arguments: StoreKind.allCases)
    func newVideo_isStale_untilItsStatusFileIsMarkedWritten(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store)
        expectEqual(try store.staleStatusVideoIds(origin: local), [id])
        let (_, version, _) = try unwrap(try store.statusDocument(id: id, origin: local))
        try store.markStatusWritten(videoId: id, origin: local, version: version)
        expectEqual(try store.staleStatusVideoIds(origin: local), [])
    }

    @Test(arguments: StoreKind.allCases)
    func everyDocumentChange_bumpsTheVersion_includingSupersededIds(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let older = try create(store, products: ["P"])
        let newer = try create(store, products: ["P"])
        for id in [older, newer] {
            try store.markStatusWritten(videoId: id, origin: local, version: try unwrap(try store.statusDocument(id: id, origin: local)).version)
        }
        _ = try succeed(store, older)
        expectEqual(try store.staleStatusVideoIds(origin: local), [older])
        try store.markStatusWritten(videoId: older, origin: local, version: try unwrap(try store.statusDocument(id: older, origin: local)).version)
        // The newer video's success removes P from the older one: both documents change.
        _ = try succeed(store, newer)
        expectEqual(Set(try store.staleStatusVideoIds(origin: local)), [older, newer])
    }

    @Test(arguments: StoreKind.allCases)
    func markStatusWritten_neverLowersTheVersion(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.openStore()
        let id = try create(store)
        let (_, v1, _) = try unwrap(try store.statusDocument(id: id, origin: local))
        try store.setProgress(try lease(store, id), stage: "download", progress: 0.5)
        let (_, v2, _) = try unwrap(try store.statusDocument(id: id, origin: local))
        expectGreaterThan(v2, v1)
        try store.markStatusWritten(videoId: id, origin: local, version: v2)
        try store.markStatusWritten(videoId: id, origin: local, version: v1)
        expectEqual(try store.staleStatusVideoIds(origin: local), [], "a late writer of an older document does not make the file look stale")
    }
}
