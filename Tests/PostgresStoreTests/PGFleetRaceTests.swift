import Foundation
import XCTest
@testable import IngestStore

/// What many daemons on one database must never do: two claims of one job, a second holder of a
/// productContentId, two videos for one idempotency key, more admissions than the limit.
final class PGFleetRaceTests: PGStoreTestCase {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    func testEightConnectionsClaiming_neverHandOneJobToTwo() throws {
        let setup = try openStore()
        let count = 200
        _ = try setup.createVideosInBulk((0..<count).map { _ in newVideo() }, now: t0)
        let stores = try (0..<8).map { _ in try openStore() }
        let collector = Collector<Int64>()
        let now = t0.addingTimeInterval(1)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            do {
                while let job = try stores[worker].claimJob(owner: "d\(worker)", leaseSeconds: 60, now: now) {
                    collector.add(job.id)
                }
            } catch { collector.fail(error) }
        }
        let result = collector.snapshot
        XCTAssertEqual(result.errors, [])
        XCTAssertEqual(result.values.count, count)
        XCTAssertEqual(Set(result.values).count, count)
    }

    func testExpiredLease_isTakenOverByAnotherDaemon_andTheOldOwnersWritesAreRefused() throws {
        let a = try openStore(), b = try openStore()
        let id = try create(a, now: t0)
        let old = try XCTUnwrap(a.claimJob(owner: "daemon-a", leaseSeconds: 10, now: t0)?.lease)
        let seen = try XCTUnwrap(b.runningLeases().first)
        XCTAssertTrue(try b.requeueStaleLease(seen.lease, beats: seen.beats), "the rescuer in daemon b")
        let new = try XCTUnwrap(b.claimJob(owner: "daemon-b", leaseSeconds: 10, now: t0)?.lease)
        XCTAssertEqual(new.generation, old.generation + 1)
        assertStoreError(.leaseLost) { try a.renewLease(old, leaseSeconds: 10) }
        assertStoreError(.leaseLost) { try a.recordStage(old, stage: "download", result: "{}", marker: "downloaded", videoStage: nil) }
        assertStoreError(.leaseLost) { _ = try a.failVideo(old, videoId: id, errorCode: "x", errorMessage: nil) }
        _ = try b.succeedVideo(new, videoId: id, optimizedVideoUrl: "file:///x", posterUrl: nil, durationSeconds: 1, autoApprove: false)
        XCTAssertEqual(try a.video(id: id)?.status, .success)
    }

    func testTwoSuccessesOfOneProductAtOnce_onTwoConnections_leaveExactlyOneHolder() throws {
        for round in 0..<10 {
            let setup = try openStore()
            let product = "race-\(round)"
            let ids = [try create(setup, products: [product]), try create(setup, products: [product])]
            let leases = try ids.map { try lease(setup, $0) }
            let stores = [try openStore(), try openStore()]
            let collector = Collector<Int>()
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                do {
                    _ = try stores[i].succeedVideo(leases[i], videoId: ids[i], optimizedVideoUrl: "file:///\(i)", posterUrl: nil,
                                                   durationSeconds: 1, autoApprove: true)
                    collector.add(i)
                } catch { collector.fail(error) }
            }
            XCTAssertEqual(collector.snapshot.errors, [])
            let holders = try ids.filter { try shown(setup, $0).contains(product) }
            XCTAssertEqual(holders, [ids[1]], "round \(round): only the newer video holds \(product)")
            let table = try setup.read {
                try $0.execute("SELECT video_id FROM product_holders WHERE product_content_id = $1", [.text(product)])
            }
            XCTAssertEqual(table.rowCount, 1)
            XCTAssertEqual(table.string(0, 0), ids[1])
        }
    }

    func testTheSameKeyStoredByEightConnectionsAtOnce_makesOneVideo() throws {
        let stores = try (0..<8).map { _ in try openStore() }
        let collector = Collector<CreateOutcome>()
        let video = newVideo()
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            do { collector.add(try stores[i].createVideo(video, idempotencyKey: "same-key", bodyDigest: "d")) } catch { collector.fail(error) }
        }
        let result = collector.snapshot
        XCTAssertEqual(result.errors, [])
        let created = result.values.compactMap { if case .created(let id) = $0 { return id } else { return nil } }
        XCTAssertEqual(created.count, 1)
        XCTAssertEqual(result.values.filter { $0 == .existing(videoId: created[0]) }.count, 7)
        XCTAssertEqual(try stores[0].allVideoIds(), created)
    }

    func testRateLimit_countsASlidingMinuteAcrossConnections_andNeverOverAdmits() throws {
        let a = try openStore(), b = try openStore()
        let t = Date(timeIntervalSince1970: 1_000_000)
        for i in 0..<3 { XCTAssertNil(try a.take(sellerId: "s1", kind: "create", limit: 5, now: t.addingTimeInterval(Double(i) * 10))) }
        for _ in 0..<2 { XCTAssertNil(try b.take(sellerId: "s1", kind: "create", limit: 5, now: t.addingTimeInterval(30))) }
        XCTAssertEqual(try a.take(sellerId: "s1", kind: "create", limit: 5, now: t.addingTimeInterval(40)), 20)
        XCTAssertNil(try a.take(sellerId: "s2", kind: "create", limit: 5, now: t.addingTimeInterval(40)), "another seller")
        XCTAssertNil(try b.take(sellerId: "s1", kind: "create", limit: 5, now: t.addingTimeInterval(60)), "t left the window")
        XCTAssertEqual(try b.take(sellerId: "s1", kind: "create", limit: 5, now: t.addingTimeInterval(60.5)), 10)

        let stores = try (0..<8).map { _ in try openStore() }
        let admitted = Collector<Bool>()
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            for _ in 0..<10 {
                do { admitted.add(try stores[i].take(sellerId: "burst", kind: "create", limit: 25, now: t) == nil) } catch { admitted.fail(error) }
            }
        }
        let result = admitted.snapshot
        XCTAssertEqual(result.errors, [])
        XCTAssertEqual(result.values.filter { $0 }.count, 25, "exactly the limit admitted out of 80 concurrent takes")
    }

    /// A quick number for the report (the bench row comes later): claims per second with 1, 4 and 16 claimers.
    func testClaimThroughput_printsClaimsPerSecond() throws {
        for threads in [1, 4, 16] {
            let setup = try openStore()
            let count = 400
            _ = try setup.createVideosInBulk((0..<count).map { _ in newVideo(seller: "s\(threads)") }, now: t0)
            let stores = try (0..<threads).map { _ in try openStore() }
            let collector = Collector<Int64>()
            let now = t0.addingTimeInterval(1)
            let started = Date()
            DispatchQueue.concurrentPerform(iterations: threads) { worker in
                do {
                    while let job = try stores[worker].claimJob(owner: "d\(worker)", leaseSeconds: 60, now: now) {
                        collector.add(job.id)
                    }
                } catch { collector.fail(error) }
            }
            let elapsed = Date().timeIntervalSince(started)
            XCTAssertEqual(Set(collector.snapshot.values).count, count)
            print(String(format: "claims: %2d claimers  %6.0f claims/s  %.2f ms per claim per claimer",
                         threads, Double(count) / elapsed, elapsed * 1000 * Double(threads) / Double(count)))
        }
    }
}
