import Foundation
import XCTest
@testable import IngestStore

/// Base class: one temporary directory per test, and helpers to make videos.
class StoreTestCase: XCTestCase {
    var directory: URL!

    var dbPath: String { directory.appendingPathComponent("store.sqlite").path }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ingest-store-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func openStore() throws -> SQLiteVideoStore {
        try SQLiteVideoStore(path: dbPath)
    }

    func newVideo(seller: String = "seller-1", title: String = "A product video", products: [String] = ["p1"]) -> NewVideo {
        NewVideo(
            sellerId: seller, title: title, description: "desc", videoUrl: "https://cdn.example.com/v.mp4",
            productContentIds: products, videoContentType: "PRODUCT_PROMOTION", storeFrontCode: "TR"
        )
    }

    /// Creates a video and returns its id.
    func create(_ store: SQLiteVideoStore, seller: String = "seller-1", products: [String] = ["p1"], key: String? = nil,
                now: Date = Date()) throws -> String {
        let outcome = try store.createVideo(
            newVideo(seller: seller, products: products), idempotencyKey: key ?? UUID().uuidString,
            bodyDigest: "digest", now: now
        )
        guard case .created(let id) = outcome else {
            XCTFail("expected .created, got \(outcome)")
            return ""
        }
        return id
    }

    /// The lease of the job of video `id`: its current one when running, else a new claim of it.
    func lease(_ store: SQLiteVideoStore, _ id: String, owner: String = "w1") throws -> LeaseToken {
        if let running = try store.job(videoId: id)?.lease { return running }
        let claimed = try store.claimJob(owner: owner, leaseSeconds: 30, now: Date().addingTimeInterval(86_400 * 365), videoId: id)
        return try XCTUnwrap(claimed?.lease, "the job of \(id) cannot be claimed")
    }

    @discardableResult
    func succeed(_ store: SQLiteVideoStore, _ id: String, autoApprove: Bool = false) throws -> [String] {
        try store.succeedVideo(try lease(store, id), videoId: id, optimizedVideoUrl: "file:///media/\(id)/video_hd.mp4",
                               posterUrl: nil, durationSeconds: 10, autoApprove: autoApprove)
    }

    func shown(_ store: SQLiteVideoStore, _ id: String) throws -> [String] {
        try XCTUnwrap(store.video(id: id)).productContentIds
    }

    func assertStoreError(_ code: StoreError.Code, file: StaticString = #filePath, line: UInt = #line,
                          _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual((error as? StoreError)?.code, code, "\(error)", file: file, line: line)
        }
    }

    /// Takes a file back to schema `version` by undoing what each later migration made, newest
    /// first, so an upgrade test starts from a file as an older build wrote it. Migration 6
    /// rebuilt `jobs`; running it again on its own output copies the table as it is.
    static func downgrade(_ db: Database, to version: Int) throws {
        let undo: [Int: String] = [
            8: "DROP TABLE published_objects; DROP TABLE object_deletions",
            7: "DROP TABLE rate_counts",
            6: "DROP TABLE job_stage_results",
            5: """
                DROP TRIGGER video_products_superseded; DROP TABLE event_removed_products;
                DROP TABLE deliveries; DROP TABLE events
                """,
            4: """
                DROP TRIGGER video_list_blocks_insert; DROP TRIGGER video_list_blocks_update;
                DROP TRIGGER video_list_blocks_delete; DROP TABLE video_list_blocks
                """,
            3: "ALTER TABLE jobs DROP COLUMN media_crashes",
        ]
        precondition(undo.count == SQLiteVideoStore.schemaVersion - 2, "a new migration needs its undo here")
        for v in stride(from: SQLiteVideoStore.schemaVersion, to: version, by: -1) { try db.exec(undo[v]!) }
        try db.exec("PRAGMA user_version = \(version)")
    }
}
