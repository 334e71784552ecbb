import Foundation
@testable import IngestCore
import IngestStore
import XCTest

/// `RateReservations`: block reservations of the store's fleet-wide counts. One daemon decides
/// exactly as a store transaction per request would; several never admit more than the limit in
/// any sliding minute.
final class RateReservationsTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "rate-reservations-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    /// A seeded schedule of request times over `seconds`, in bursts, sorted.
    private func schedule(seed: UInt64, count: Int, seconds: Double) -> [Date] {
        var state = seed
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let t0 = 2_000_000.0
        var times: [Double] = []
        while times.count < count {
            let burstStart = next() * seconds
            for _ in 0..<Int(1 + next() * 40) { times.append(burstStart + next() * 2) }
        }
        return times.prefix(count).sorted().map { Date(timeIntervalSince1970: t0 + $0) }
    }

    func testOneDaemon_decidesExactlyAsATransactionPerRequest_admissionsAndRetryAfter() throws {
        for (seed, limit) in [(UInt64(1), 50), (2, 200), (3, 7), (4, 600)] {
            let reference = try SQLiteVideoStore(path: root + "/reference-\(seed).sqlite")
            let blocks = RateReservations(limiter: try SQLiteVideoStore(path: root + "/blocks-\(seed).sqlite"))
            var admitted = 0, refused = 0
            for (i, time) in schedule(seed: seed, count: 3000, seconds: 200).enumerated() {
                let seller = i % 5 == 0 ? "other" : "s1"
                let expected = try reference.take(sellerId: seller, kind: "read", limit: limit, now: time)
                let got = try blocks.take(sellerId: seller, kind: "read", limit: limit, now: time)
                XCTAssertEqual(got, expected, "seed \(seed), limit \(limit), request \(i) at \(time.timeIntervalSince1970)")
                if got == nil { admitted += 1 } else { refused += 1 }
                if got != expected { return }
            }
            XCTAssertGreaterThan(admitted, 0, "seed \(seed)")
            XCTAssertGreaterThan(refused, 0, "seed \(seed): the schedule reaches the limit")
        }
    }

    func testTwoDaemonsOnOneStore_neverAdmitMoreThanTheLimitInAnySlidingMinute() throws {
        let path = root + "/fleet.sqlite"
        let limit = 300
        let daemons = [RateReservations(limiter: try SQLiteVideoStore(path: path)), RateReservations(limiter: try SQLiteVideoStore(path: path))]
        var admittedAt: [Int64] = []
        for (i, time) in schedule(seed: 9, count: 6000, seconds: 240).enumerated() {
            if try daemons[(i / 3) % 2].take(sellerId: "s1", kind: "read", limit: limit, now: time) == nil {
                admittedAt.append(Int64(time.timeIntervalSince1970.rounded(.down)))
            }
        }
        var perSecond: [Int64: Int] = [:]
        for s in admittedAt { perSecond[s, default: 0] += 1 }
        let first = admittedAt.min()!, last = admittedAt.max()!
        var busiest = 0
        for end in first...last {
            let inWindow = (end - 59...end).reduce(0) { $0 + (perSecond[$1] ?? 0) }
            XCTAssertLessThanOrEqual(inWindow, limit, "the minute ending at second \(end)")
            busiest = max(busiest, inWindow)
        }
        XCTAssertGreaterThan(busiest, limit * 9 / 10, "the fleet still gets near the limit: \(busiest)")
    }

    func testFourThreadsOfOneSeller_inOneSecond_admitExactlyTheLimit() throws {
        let blocks = RateReservations(limiter: try SQLiteVideoStore(path: root + "/threads.sqlite"))
        let now = Date(timeIntervalSince1970: 3_000_000.5)
        let admitted = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<800 {
                if (try? blocks.take(sellerId: "s1", kind: "read", limit: 1000, now: now)) == .some(nil) { admitted.add() }
            }
        }
        XCTAssertEqual(admitted.value, 1000)
        XCTAssertEqual(try blocks.take(sellerId: "s1", kind: "read", limit: 1000, now: now), 60, "a full minute: every place was taken now")
    }
}

private final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
