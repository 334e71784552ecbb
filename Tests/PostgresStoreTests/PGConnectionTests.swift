import Foundation
import TestPostgresServer
import XCTest
@testable import IngestStore

/// The libpq layer: parameters and NULLs round-trip, errors map to codes, a restarted server is reconnected.
final class PGConnectionTests: PGStoreTestCase {
    func testParameters_roundTripAsText_andNullsStayNull() throws {
        let connection = try PGConnection(url: url)
        let tricky = "it's a \"quote\"; DROP TABLE x; -- ünïcødé $1"
        let row = try connection.execute(
            "SELECT $1::text, $2::bigint, $3::double precision, $4::text IS NULL, $5::boolean, $6::bigint",
            [.text(tricky), .integer(Int64.min), .real(0.1), .null, .bool(true), .integer(Int64.max)])
        XCTAssertEqual(row.string(0, 0), tricky)
        XCTAssertEqual(row.int64(0, 1), Int64.min)
        XCTAssertEqual(row.optionalDouble(0, 2), 0.1)
        XCTAssertTrue(row.bool(0, 3))
        XCTAssertTrue(row.bool(0, 4))
        XCTAssertEqual(row.int64(0, 5), Int64.max)
        let null = try connection.execute("SELECT NULL::text")
        XCTAssertTrue(null.isNull(0, 0))
        XCTAssertNil(null.optionalString(0, 0))
        XCTAssertNil(null.optionalInt64(0, 0))
    }

    func testErrors_mapToCodes() throws {
        let connection = try PGConnection(url: url)
        try connection.execute("CREATE TABLE t (k text PRIMARY KEY)")
        try connection.execute("INSERT INTO t VALUES ($1)", [.text("a")])
        XCTAssertThrowsError(try connection.execute("INSERT INTO t VALUES ($1)", [.text("a")])) {
            XCTAssertEqual(($0 as? StoreError)?.code, .constraint, "\($0)")
        }
        XCTAssertThrowsError(try connection.execute("SELEKT 1")) { XCTAssertEqual(($0 as? StoreError)?.code, .misuse, "\($0)") }
        XCTAssertThrowsError(try PGConnection(url: "postgresql://postgres@127.0.0.1:1/x")) {
            XCTAssertEqual(($0 as? StoreError)?.code, .unavailable, "\($0)")
        }
        XCTAssertEqual(PGConnection.redacted("postgresql://u:secret@h:5/db"), "postgresql://u@h:5/db")
    }

    /// Two SERIALIZABLE transactions that each read what the other writes: one must fail with
    /// 40001, which is `.serialization` when retries are off, and succeeds when retried.
    func testSerializationFailure_isItsOwnCode_andIsRetried() throws {
        let setup = try PGConnection(url: url)
        try setup.execute("CREATE TABLE doctors (name text PRIMARY KEY, on_call boolean NOT NULL)")
        try setup.execute("INSERT INTO doctors VALUES ('a', true), ('b', true)")
        let a = try PGConnection(url: url), b = try PGConnection(url: url)
        try a.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
        try b.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
        XCTAssertEqual(try a.execute("SELECT COUNT(*) FROM doctors WHERE on_call").int64(0, 0), 2)
        XCTAssertEqual(try b.execute("SELECT COUNT(*) FROM doctors WHERE on_call").int64(0, 0), 2)
        try a.execute("UPDATE doctors SET on_call = false WHERE name = 'a'")
        try b.execute("UPDATE doctors SET on_call = false WHERE name = 'b'")
        try a.execute("COMMIT")
        XCTAssertThrowsError(try b.execute("COMMIT")) { XCTAssertEqual(($0 as? StoreError)?.code, .serialization, "\($0)") }
        var runs = 0
        let left = try b.transaction(.serializable) { () -> Int64 in
            runs += 1
            return try b.execute("SELECT COUNT(*) FROM doctors WHERE on_call").int64(0, 0)
        }
        XCTAssertEqual(left, 1)
        XCTAssertEqual(runs, 1)
    }

    /// The server goes away for a while: statements throw `.unavailable` (a worker fault), and
    /// once it is back the same store goes on without being reopened.
    func testServerRestart_unavailableWhileDown_thenTheSameStoreReconnects() throws {
        let server = try PostgresServer()
        let store = try PostgresVideoStore(url: try server.createDatabase())
        let before = try create(store)
        server.stop()
        XCTAssertThrowsError(try store.ping()) { error in
            XCTAssertEqual((error as? StoreError)?.code, .unavailable, "\(error)")
            XCTAssertTrue((error as? StoreError)?.isWorkerFault ?? false)
        }
        XCTAssertThrowsError(try store.createVideo(newVideo(), idempotencyKey: "k", bodyDigest: "d")) {
            XCTAssertEqual(($0 as? StoreError)?.code, .unavailable, "\($0)")
        }
        try server.start()
        try store.ping()
        let after = try create(store)
        XCTAssertEqual(Set(try store.allVideoIds()), [before, after])
        XCTAssertEqual(try store.claimJob(owner: "w", leaseSeconds: 30)?.videoId, before)
    }
}
