// A mirror of Tests/IngestStoreTests/StatusVersionTests.swift run against PostgresVideoStore (made mechanically:
// StoreTestCase -> PGStoreTestCase, VideoStore -> PostgresVideoStore; SQLite file-upgrade cases left out).
// It goes away when the shared conformance suite runs these cases against both drivers.
import Foundation
import XCTest
@testable import IngestStore

/// Schema v2: every document change bumps the version, so a status file the daemon did not
/// get to write after a commit is found stale at start-up.
final class PGStatusVersionTests: PGStoreTestCase {
    func testNewVideo_isStale_untilItsStatusFileIsMarkedWritten() throws {
        let store = try openStore()
        let id = try create(store)
        XCTAssertEqual(try store.staleStatusVideoIds(), [id])
        let (_, version, _) = try XCTUnwrap(try store.statusDocument(id: id))
        try store.markStatusWritten(videoId: id, version: version)
        XCTAssertEqual(try store.staleStatusVideoIds(), [])
    }

    func testEveryDocumentChange_bumpsTheVersion_includingSupersededIds() throws {
        let store = try openStore()
        let older = try create(store, products: ["P"])
        let newer = try create(store, products: ["P"])
        for id in [older, newer] {
            try store.markStatusWritten(videoId: id, version: try XCTUnwrap(try store.statusDocument(id: id)).version)
        }
        _ = try succeed(store, older)
        XCTAssertEqual(try store.staleStatusVideoIds(), [older])
        try store.markStatusWritten(videoId: older, version: try XCTUnwrap(try store.statusDocument(id: older)).version)
        // The newer video's success removes P from the older one: both documents change.
        _ = try succeed(store, newer)
        XCTAssertEqual(Set(try store.staleStatusVideoIds()), [older, newer])
    }

    func testMarkStatusWritten_neverLowersTheVersion() throws {
        let store = try openStore()
        let id = try create(store)
        let (_, v1, _) = try XCTUnwrap(try store.statusDocument(id: id))
        try store.setProgress(try lease(store, id), stage: "download", progress: 0.5)
        let (_, v2, _) = try XCTUnwrap(try store.statusDocument(id: id))
        XCTAssertGreaterThan(v2, v1)
        try store.markStatusWritten(videoId: id, version: v2)
        try store.markStatusWritten(videoId: id, version: v1)
        XCTAssertEqual(try store.staleStatusVideoIds(), [], "a late writer of an older document does not make the file look stale")
    }
}
