// A mirror of Tests/IngestStoreTests/OutboxTests.swift run against PostgresVideoStore (made mechanically:
// StoreTestCase -> PGStoreTestCase, VideoStore -> PostgresVideoStore; SQLite file-upgrade cases left out).
// It goes away when the shared conformance suite runs these cases against both drivers.
import Foundation
import XCTest
@testable import IngestStore

/// The webhook outbox: events recorded in the change's transaction, routed to the endpoints
/// that want them, and the delivery queue's order, retries and counters.
final class PGOutboxTests: PGStoreTestCase {
    /// A body that shows what the builder saw: type, status, shown ids, removed ids.
    static let routing = OutboxRouting(endpoints: [OutboxEndpoint(url: "http://a/")]) { event in
        "\(event.type.rawValue)|\(event.video.status.rawValue)|\(event.video.productContentIds.joined(separator: ","))|"
            + (event.removedProductContentIds?.joined(separator: ",") ?? "-")
    }

    private func outboxStore(_ routing: OutboxRouting = PGOutboxTests.routing, onEvents: (@Sendable () -> Void)? = nil) throws -> PostgresVideoStore {
        let store = try openStore()
        try store.setOutbox({ routing }, onEventsCommitted: onEvents)
        return store
    }

    /// Bodies per video id, oldest first.
    private func bodies(_ store: PostgresVideoStore) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for d in try store.deliveries(failedOnly: false).reversed() { result[d.videoId, default: []].append(d.body) }
        return result
    }

    func testEveryChange_recordsItsEvent_withTheCommittedDocument() throws {
        let store = try outboxStore()
        let old = try create(store, products: ["p1", "p2"])
        let new = try create(store, products: ["p2"])
        let failed = try create(store, products: ["p9"])
        try succeed(store, old)
        try succeed(store, new, autoApprove: true)
        _ = try store.failVideo(try lease(store, failed), videoId: failed, errorCode: "seller.integration.video.format.invalid", errorMessage: nil)
        _ = try store.approve(videoId: old)
        _ = try store.approve(videoId: old)  // already approved: no second event
        _ = try store.reject(videoId: new, reason: nil)
        _ = try store.delete(videoId: failed)
        XCTAssertEqual(try bodies(store), [
            old: ["video.succeeded|SUCCESS|p1,p2|-", "video.superseded|SUCCESS|p1|p2", "video.approved|SUCCESS|p1|-"],
            new: ["video.succeeded|SUCCESS|p2|-", "video.approved|SUCCESS|p2|-", "video.rejected|SUCCESS||-"],
            failed: ["video.failed|FAILED|p9|-", "video.deleted|FAILED||-"],
        ])
        XCTAssertEqual(try shown(store, old), ["p1", "p2"], "the rejection gave p2 back (and that is no supersede)")
        XCTAssertEqual(Set(try store.deliveries(failedOnly: false).map(\.eventId)).count, 8)
        XCTAssertTrue(try store.deliveries(failedOnly: false).allSatisfy { $0.eventId.hasPrefix("evt_") && $0.state == .pending })
    }

    func testEndpoints_getOnlyTheEventsAndSellersTheyAskFor() throws {
        let routing = OutboxRouting(endpoints: [
            OutboxEndpoint(url: "http://all/"),
            OutboxEndpoint(url: "http://failed/", events: [.failed]),
            OutboxEndpoint(url: "http://seller-2/", sellerId: "seller-2"),
        ]) { $0.type.rawValue }
        let store = try outboxStore(routing)
        let a = try create(store, seller: "seller-1")
        let b = try create(store, seller: "seller-2")
        try succeed(store, a)
        _ = try store.failVideo(try lease(store, b), videoId: b, errorCode: "x", errorMessage: nil)
        let rows = try store.deliveries(failedOnly: false).map { "\($0.endpointUrl) \($0.body)" }
        XCTAssertEqual(Set(rows), ["http://all/ video.succeeded", "http://all/ video.failed", "http://failed/ video.failed",
                                   "http://seller-2/ video.failed"])
        let failedEvent = try store.deliveries(failedOnly: false).filter { $0.body == "video.failed" }
        XCTAssertEqual(Set(failedEvent.map(\.eventId)).count, 1, "one event, one id, for every endpoint")
    }

    func testWithoutEndpoints_orWithoutAProvider_nothingIsStored() throws {
        let bare = try openStore()
        try succeed(bare, try create(bare))
        XCTAssertEqual(try bare.deliveries(failedOnly: false).count, 0)
        let none = try outboxStore(OutboxRouting(endpoints: []) { _ in "x" })
        try succeed(none, try create(none))
        XCTAssertEqual(try none.deliveries(failedOnly: false).count, 0)
    }

    func testACommitThatRecordsEvents_wakesTheWorkerOnce_andARolledBackOneRecordsNothing() throws {
        let wakes = Counter()
        let store = try outboxStore(onEvents: { wakes.add() })
        let id = try create(store)
        XCTAssertEqual(wakes.value, 0, "creating a video is no event")
        let token = try lease(store, id)
        _ = try store.succeedVideo(token, videoId: id, optimizedVideoUrl: "file:///v.mp4", posterUrl: nil, durationSeconds: 10,
                                   autoApprove: false)
        XCTAssertEqual(wakes.value, 1)
        // A second outcome of the settled job is refused and rolled back: no event, no wake.
        assertStoreError(.leaseLost) {
            _ = try store.succeedVideo(token, videoId: id, optimizedVideoUrl: "file:///v.mp4", posterUrl: nil, durationSeconds: 10,
                                       autoApprove: false)
        }
        assertStoreError(.leaseLost) { _ = try store.failVideo(token, videoId: id, errorCode: "x", errorMessage: nil) }
        XCTAssertEqual(wakes.value, 1)
        XCTAssertEqual(try store.deliveries(failedOnly: false).count, 1)
    }

    func testQueue_holdsAVideosLaterEventsBehindItsEarlierOne_whileOtherVideosGoOn() throws {
        let store = try outboxStore()
        let a = try create(store, products: ["pa"]), b = try create(store, products: ["pb"])
        try succeed(store, a)
        _ = try store.approve(videoId: a)
        try succeed(store, b)
        let due = try store.dueDeliveries(endpointUrl: "http://a/")
        XCTAssertEqual(due.map(\.body), ["video.succeeded|SUCCESS|pa|-", "video.succeeded|SUCCESS|pb|-"])
        let later = Date().addingTimeInterval(60)
        try store.recordDeliveryAttempt(seq: due[0].seq, result: .retry(at: later), httpStatus: 500, error: "HTTP 500")
        XCTAssertEqual(try store.dueDeliveries(endpointUrl: "http://a/").map(\.videoId), [b], "a's approval waits for its success")
        XCTAssertEqual(try store.dueDeliveries(endpointUrl: "http://a/", now: later).map(\.videoId), [b, a], "soonest due first")
        try store.recordDeliveryAttempt(seq: due[0].seq, result: .delivered, httpStatus: 200, error: nil)
        XCTAssertEqual(try store.dueDeliveries(endpointUrl: "http://a/").map(\.body),
                       ["video.approved|SUCCESS|pa|-", "video.succeeded|SUCCESS|pb|-"])
        XCTAssertEqual(try store.dueDeliveries(endpointUrl: "http://other/").count, 0)
    }

    func testNextDue_ignoresEventsHeldBackBehindAnEarlierOne() throws {
        let store = try outboxStore()
        let a = try create(store)
        try succeed(store, a)
        _ = try store.approve(videoId: a)
        let first = try XCTUnwrap(try store.dueDeliveries(endpointUrl: "http://a/").first)
        let later = Date().addingTimeInterval(60)
        try store.recordDeliveryAttempt(seq: first.seq, result: .retry(at: later), httpStatus: 500, error: nil)
        XCTAssertEqual(try store.nextDeliveryDue(endpointUrl: "http://a/")?.timeIntervalSince1970 ?? 0,
                       later.timeIntervalSince1970, accuracy: 0.01, "the approval, due now, waits for the success")
        XCTAssertNil(try store.nextDeliveryDue(endpointUrl: "http://other/"))
    }

    /// The partition of 4 a video falls into (`dueDeliveries`' rule: the id's last character).
    static func partition(of videoId: String) -> (index: Int, count: Int) {
        (Int(videoId.unicodeScalars.last!.value) % 4, 4)
    }

    func testPartitions_splitTheVideosDisjointly_andKeepEachVideosEventsTogether() throws {
        let store = try outboxStore()
        var ids: [String] = []
        for _ in 0..<12 {
            let id = try create(store, products: [UUID().uuidString])
            try succeed(store, id)
            _ = try store.approve(videoId: id)
            ids.append(id)
        }
        var seen: [String] = []
        for index in 0..<4 {
            let due = try store.dueDeliveries(endpointUrl: "http://a/", partition: (index, 4))
            XCTAssertTrue(due.allSatisfy { Self.partition(of: $0.videoId).index == index })
            XCTAssertTrue(due.allSatisfy { $0.eventType == "video.succeeded" }, "one in line per video")
            seen += due.map(\.videoId)
        }
        XCTAssertEqual(seen.sorted(), ids.sorted(), "every video in exactly one partition")
    }

    func testGivenUp_isRetriedByEventId_withAFreshWindow_andCounted() throws {
        let store = try outboxStore()
        let id = try create(store)
        try succeed(store, id)
        let d = try XCTUnwrap(try store.dueDeliveries(endpointUrl: "http://a/").first)
        try store.recordDeliveryAttempt(seq: d.seq, result: .retry(at: Date()), httpStatus: nil, error: "timeout")
        try store.recordDeliveryAttempt(seq: d.seq, result: .givenUp, httpStatus: 503, error: "HTTP 503")
        XCTAssertFalse(try store.recordDeliveryAttempt(seq: d.seq, result: .delivered, httpStatus: 200, error: nil),
                       "a given-up delivery takes no late answer")
        let failed = try XCTUnwrap(try store.deliveries(failedOnly: true).first)
        XCTAssertEqual(failed.attempts, 2)
        XCTAssertEqual(failed.lastStatus, 503)
        XCTAssertEqual(failed.lastError, "HTTP 503")
        var metrics = try store.webhookMetrics()
        XCTAssertEqual(metrics, WebhookMetrics(delivered: 0, givenUp: 1, pending: 0, failedAttempts: 2, oldestPendingAgeSeconds: 0))

        let later = Date().addingTimeInterval(100)
        XCTAssertEqual(try store.retryEvent(id: d.eventId, now: later), 1)
        let again = try XCTUnwrap(try store.dueDeliveries(endpointUrl: "http://a/", now: later).first)
        XCTAssertEqual(again.windowStart.timeIntervalSince1970, later.timeIntervalSince1970, accuracy: 0.01)
        assertStoreError(.invalidState) { _ = try store.retryEvent(id: d.eventId) }
        assertStoreError(.notFound) { _ = try store.retryEvent(id: "evt_none") }
        metrics = try store.webhookMetrics(now: later)
        XCTAssertEqual(metrics.pending, 1)
        XCTAssertGreaterThanOrEqual(metrics.oldestPendingAgeSeconds, 99)
        try store.recordDeliveryAttempt(seq: d.seq, result: .delivered, httpStatus: 200, error: nil)
        XCTAssertEqual(try store.webhookMetrics(), WebhookMetrics(delivered: 1, givenUp: 0, pending: 0, failedAttempts: 2, oldestPendingAgeSeconds: 0))
    }

    func testRemovedEndpoints_pendingDeliveriesAreGivenUp_withTheReason() throws {
        let routing = OutboxRouting(endpoints: [OutboxEndpoint(url: "http://kept/"), OutboxEndpoint(url: "http://gone/")]) { _ in "x" }
        let store = try outboxStore(routing)
        try succeed(store, try create(store))
        XCTAssertEqual(try store.giveUpDeliveries(toEndpointsOtherThan: ["http://kept/"], reason: "removed"), 1)
        XCTAssertEqual(try store.deliveries(failedOnly: true).map(\.endpointUrl), ["http://gone/"])
        XCTAssertEqual(try store.deliveries(failedOnly: true).first?.lastError, "removed")
        XCTAssertEqual(try store.giveUpDeliveries(toEndpointsOtherThan: [], reason: "all removed"), 1)
        XCTAssertEqual(try store.webhookMetrics().pending, 0)
    }
}

/// A thread-safe counter for callbacks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
