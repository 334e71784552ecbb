import Foundation
import TestPostgresServer
import XCTest
@testable import IngestStore

/// Base class: a fresh PostgreSQL database per test, and the same helpers as `StoreTestCase`
/// (IngestStoreTests), so a case reads the same on both drivers. `openStore()` is the one
/// factory every case goes through: each call is a new connection, like another daemon.
class PGStoreTestCase: XCTestCase {
    var url: String!

    override func setUpWithError() throws {
        url = try SharedPostgres.server().createDatabase()
    }

    func openStore() throws -> PostgresVideoStore {
        try PostgresVideoStore(url: url)
    }

    func newVideo(seller: String = "seller-1", title: String = "A product video", products: [String] = ["p1"]) -> NewVideo {
        NewVideo(
            sellerId: seller, title: title, description: "desc", videoUrl: "https://cdn.example.com/v.mp4",
            productContentIds: products, videoContentType: "PRODUCT_PROMOTION", storeFrontCode: "TR"
        )
    }

    /// Creates a video and returns its id.
    func create(_ store: PostgresVideoStore, seller: String = "seller-1", products: [String] = ["p1"], key: String? = nil,
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
    func lease(_ store: PostgresVideoStore, _ id: String, owner: String = "w1") throws -> LeaseToken {
        if let running = try store.job(videoId: id)?.lease { return running }
        let claimed = try store.claimJob(owner: owner, leaseSeconds: 30, now: Date().addingTimeInterval(86_400 * 365), videoId: id)
        return try XCTUnwrap(claimed?.lease, "the job of \(id) cannot be claimed")
    }

    @discardableResult
    func succeed(_ store: PostgresVideoStore, _ id: String, autoApprove: Bool = false) throws -> [String] {
        try store.succeedVideo(try lease(store, id), videoId: id, optimizedVideoUrl: "file:///media/\(id)/video_hd.mp4",
                               posterUrl: nil, durationSeconds: 10, autoApprove: autoApprove)
    }

    func shown(_ store: PostgresVideoStore, _ id: String) throws -> [String] {
        try XCTUnwrap(store.video(id: id)).productContentIds
    }

    func assertStoreError(_ code: StoreError.Code, file: StaticString = #filePath, line: UInt = #line,
                          _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual((error as? StoreError)?.code, code, "\(error)", file: file, line: line)
        }
    }
}

/// Collects results and errors from several threads.
final class Collector<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value] = []
    private var errors: [String] = []

    func add(_ value: Value) { lock.withLock { values.append(value) } }
    func fail(_ error: Error) { lock.withLock { errors.append("\(error)") } }
    var snapshot: (values: [Value], errors: [String]) { lock.withLock { (values, errors) } }
}
