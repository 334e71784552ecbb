import Foundation
import Testing
@testable import IngestStore

/// The webhook outbox: events recorded in the change's transaction, routed to the endpoints
/// that want them, and the delivery queue's order, retries and counters.
@Suite struct OutboxTests {
    /// A body that shows what the builder saw: type, status, shown ids, removed ids.
    static let routing = OutboxRouting(endpoints: [OutboxEndpoint(url: "http://a/")]) { event in
        "\(event.type.rawValue)|\(event.video.status.rawValue)|\(event.video.productContentIds.joined(separator: ","))|"
            + (event.removedProductContentIds?.joined(separator: ",") ?? "-")
    }

    private func outboxStore(_ fixture: StoreFixture, _ routing: OutboxRouting = OutboxTests.routing,
                             onEvents: (@Sendable () -> Void)? = nil) throws -> any VideoStore {
        let store = try fixture.openStore()
        try store.setOutbox({ routing }, onEventsCommitted: onEvents)
        return store
    }

    /// Bodies per video id, oldest first.
    private func bodies(_ store: any VideoStore) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for d in try store.deliveries(failedOnly: false).reversed() { result[d.videoId, default: []].append(d.body) }
        return result
    }

    @Test(arguments: StoreKind.allCases)
    func everyChange_recordsItsEvent_withTheCommittedDocument(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try outboxStore(fixture)
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
        expectEqual(try bodies(store), [
            old: ["video.succeeded|SUCCESS|p1,p2|-", "video.superseded|SUCCESS|p1|p2", "video.approved|SUCCESS|p1|-"],
            new: ["video.succeeded|SUCCESS|p2|-", "video.approved|SUCCESS|p2|-", "video.rejected|SUCCESS||-"],
            failed: ["video.failed|FAILED|p9|-", "video.deleted|FAILED||-"],
        ])
        expectEqual(try shown(store, old), ["p1", "p2"], "the rejection gave p2 back (and that is no supersede)")
        expectEqual(Set(try store.deliveries(failedOnly: false).map(\.eventId)).count, 8)
        expectTrue(try store.deliveries(failedOnly: false).allSatisfy { $0.eventId.hasPrefix("evt_") && $0.state == .pending })
    }

    @Test(arguments: StoreKind.allCases)
    func endpoints_getOnlyTheEventsAndSellersTheyAskFor(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let routing = OutboxRouting(endpoints: [
            OutboxEndpoint(url: "http://all/"),
            OutboxEndpoint(url: "http://failed/", events: [.failed]),
            OutboxEndpoint(url: "http://seller-2/", sellerId: "seller-2"),
        ]) { $0.type.rawValue }
        let store = try outboxStore(fixture, routing)
        let a = try create(store, seller: "seller-1")
        let b = try create(store, seller: "seller-2")
        try succeed(store, a)
        _ = try store.failVideo(try lease(store, b), videoId: b, errorCode: "x", errorMessage: nil)
        let rows = try store.deliveries(failedOnly: false).map { "\($0.endpointUrl) \($0.body)" }
        expectEqual(Set(rows), ["http://all/ video.succeeded", "http://all/ video.failed", "http://failed/ video.failed",
                                   "http://seller-2/ video.failed"])
        let failedEvent = try store.deliveries(failedOnly: false).filter { $0.body == "video.failed" }
        expectEqual(Set(failedEvent.map(\.eventId)).count, 1, "one event, one id, for every endpoint")
    }

    @Test(arguments: StoreKind.allCases)
    func withoutEndpoints_orWithoutAProvider_nothingIsStored(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let bare = try fixture.openStore()
        try succeed(bare, try create(bare))
        expectEqual(try bare.deliveries(failedOnly: false).count, 0)
        let none = try outboxStore(fixture, OutboxRouting(endpoints: []) { _ in "x" })
        try succeed(none, try create(none))
        expectEqual(try none.deliveries(failedOnly: false).count, 0)
    }

    @Test(arguments: StoreKind.allCases)
    func aCommitThatRecordsEvents_wakesTheWorkerOnce_andARolledBackOneRecordsNothing(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let wakes = Counter()
        let store = try outboxStore(fixture, onEvents: { wakes.add() })
        let id = try create(store)
        expectEqual(wakes.value, 0, "creating a video is no event")
        let token = try lease(store, id)
        _ = try store.succeedVideo(token, videoId: id, optimizedVideoUrl: "file:///v.mp4", posterUrl: nil, durationSeconds: 10,
                                   autoApprove: false)
        expectEqual(wakes.value, 1)
        // A second outcome of the settled job is refused and rolled back: no event, no wake.
        assertStoreError(.leaseLost) {
            _ = try store.succeedVideo(token, videoId: id, optimizedVideoUrl: "file:///v.mp4", posterUrl: nil, durationSeconds: 10,
                                       autoApprove: false)
        }
        assertStoreError(.leaseLost) { _ = try store.failVideo(token, videoId: id, errorCode: "x", errorMessage: nil) }
        expectEqual(wakes.value, 1)
        expectEqual(try store.deliveries(failedOnly: false).count, 1)
    }

    @Test(arguments: StoreKind.allCases)
    func queue_holdsAVideosLaterEventsBehindItsEarlierOne_whileOtherVideosGoOn(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try outboxStore(fixture)
        let a = try create(store, products: ["pa"]), b = try create(store, products: ["pb"])
        try succeed(store, a)
        _ = try store.approve(videoId: a)
        try succeed(store, b)
        let due = try store.dueDeliveries(endpointUrl: "http://a/")
        expectEqual(due.map(\.body), ["video.succeeded|SUCCESS|pa|-", "video.succeeded|SUCCESS|pb|-"])
        let later = Date().addingTimeInterval(60)
        try store.recordDeliveryAttempt(seq: due[0].seq, result: .retry(at: later), httpStatus: 500, error: "HTTP 500")
        expectEqual(try store.dueDeliveries(endpointUrl: "http://a/").map(\.videoId), [b], "a's approval waits for its success")
        expectEqual(try store.dueDeliveries(endpointUrl: "http://a/", now: later).map(\.videoId), [b, a], "soonest due first")
        try store.recordDeliveryAttempt(seq: due[0].seq, result: .delivered, httpStatus: 200, error: nil)
        expectEqual(try store.dueDeliveries(endpointUrl: "http://a/").map(\.body),
                       ["video.approved|SUCCESS|pa|-", "video.succeeded|SUCCESS|pb|-"])
        expectEqual(try store.dueDeliveries(endpointUrl: "http://other/").count, 0)
    }

    /// Two senders (two daemons) on one store: a claimed delivery goes to one of them only, until
    /// it is recorded or its claim runs out; a restarted daemon frees its dead predecessor's claims.
    @Test(arguments: StoreKind.allCases)
    func claims_handEachDeliveryToOneSender_untilRecordedExpiredOrReleased(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let one = try outboxStore(fixture)
        let two = try outboxStore(fixture)
        let a = try create(one)
        let b = try create(one)
        try succeed(one, a)
        try succeed(one, b)
        let now = Date().addingTimeInterval(1)
        func claim(_ store: any VideoStore, _ owner: String, at: Date, limit: Int = 10) throws -> [String] {
            try store.claimDueDeliveries(endpointUrl: "http://a/", partition: (0, 1), owner: owner, now: at,
                                         claimSeconds: 30, limit: limit).map(\.videoId)
        }
        let first = try claim(one, "host:/spool-1#1-1", at: now, limit: 1)
        expectEqual(first, [a])
        expectEqual(try claim(two, "host:/spool-2#2-2", at: now), [b], "the claimed delivery is not handed out again")
        expectEqual(try claim(one, "host:/spool-1#1-1", at: now), [], "nothing left unclaimed")
        expectEqual(try one.dueDeliveries(endpointUrl: "http://a/", now: now).count, 0)

        let seqB = try unwrap(two.deliveries(failedOnly: false).first { $0.videoId == b }?.seq)
        try two.recordDeliveryAttempt(seq: seqB, result: .retry(at: now), httpStatus: 500, error: "HTTP 500", now: now)
        expectEqual(try claim(one, "host:/spool-1#1-1", at: now), [b], "a recorded attempt ends the claim")

        expectEqual(try one.releaseDeliveryClaims(ownerPrefix: "host:/spool-9#", now: now), 0, "another spool's claims stay")
        expectEqual(try two.releaseDeliveryClaims(ownerPrefix: "host:/spool-1#", now: now), 2)
        expectEqual(Set(try claim(two, "host:/spool-2#3-3", at: now)), [a, b], "released claims are due at once")
        expectEqual(try claim(one, "host:/spool-1#1-1", at: now.addingTimeInterval(29)), [])
        expectEqual(Set(try claim(one, "host:/spool-1#1-1", at: now.addingTimeInterval(31))), [a, b], "an expired claim is due again")
    }

    @Test(arguments: StoreKind.allCases)
    func nextDue_ignoresEventsHeldBackBehindAnEarlierOne(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try outboxStore(fixture)
        let a = try create(store)
        try succeed(store, a)
        _ = try store.approve(videoId: a)
        let first = try unwrap(try store.dueDeliveries(endpointUrl: "http://a/").first)
        let later = Date().addingTimeInterval(60)
        try store.recordDeliveryAttempt(seq: first.seq, result: .retry(at: later), httpStatus: 500, error: nil)
        expectEqual(try store.nextDeliveryDue(endpointUrl: "http://a/")?.timeIntervalSince1970 ?? 0,
                       later.timeIntervalSince1970, accuracy: 0.01, "the approval, due now, waits for the success")
        expectNil(try store.nextDeliveryDue(endpointUrl: "http://other/"))
    }

    /// The partition of 4 a video falls into (`dueDeliveries`' rule: the id's last character).
    static func partition(of videoId: String) -> (index: Int, count: Int) {
        (Int(videoId.unicodeScalars.last!.value) % 4, 4)
    }

    @Test(arguments: StoreKind.allCases)
    func partitions_splitTheVideosDisjointly_andKeepEachVideosEventsTogether(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try outboxStore(fixture)
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
            expectTrue(due.allSatisfy { Self.partition(of: $0.videoId).index == index })
            expectTrue(due.allSatisfy { $0.eventType == "video.succeeded" }, "one in line per video")
            seen += due.map(\.videoId)
        }
        expectEqual(seen.sorted(), ids.sorted(), "every video in exactly one partition")
    }

    @Test(arguments: StoreKind.allCases)
    func givenUp_isRetriedByEventId_withAFreshWindow_andCounted(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try outboxStore(fixture)
        let id = try create(store)
        try succeed(store, id)
        let d = try unwrap(try store.dueDeliveries(endpointUrl: "http://a/").first)
        try store.recordDeliveryAttempt(seq: d.seq, result: .retry(at: Date()), httpStatus: nil, error: "timeout")
        try store.recordDeliveryAttempt(seq: d.seq, result: .givenUp, httpStatus: 503, error: "HTTP 503")
        expectFalse(try store.recordDeliveryAttempt(seq: d.seq, result: .delivered, httpStatus: 200, error: nil),
                       "a given-up delivery takes no late answer")
        let failed = try unwrap(try store.deliveries(failedOnly: true).first)
        expectEqual(failed.attempts, 2)
        expectEqual(failed.lastStatus, 503)
        expectEqual(failed.lastError, "HTTP 503")
        var metrics = try store.webhookMetrics()
        expectEqual(metrics, WebhookMetrics(delivered: 0, givenUp: 1, pending: 0, failedAttempts: 2, oldestPendingAgeSeconds: 0))

        let later = Date().addingTimeInterval(100)
        expectEqual(try store.retryEvent(id: d.eventId, now: later), 1)
        let again = try unwrap(try store.dueDeliveries(endpointUrl: "http://a/", now: later).first)
        expectEqual(again.windowStart.timeIntervalSince1970, later.timeIntervalSince1970, accuracy: 0.01)
        assertStoreError(.invalidState) { _ = try store.retryEvent(id: d.eventId) }
        assertStoreError(.notFound) { _ = try store.retryEvent(id: "evt_none") }
        metrics = try store.webhookMetrics(now: later)
        expectEqual(metrics.pending, 1)
        expectGreaterThanOrEqual(metrics.oldestPendingAgeSeconds, 99)
        try store.recordDeliveryAttempt(seq: d.seq, result: .delivered, httpStatus: 200, error: nil)
        expectEqual(try store.webhookMetrics(), WebhookMetrics(delivered: 1, givenUp: 0, pending: 0, failedAttempts: 2, oldestPendingAgeSeconds: 0))
    }

    @Test(arguments: StoreKind.allCases)
    func removedEndpoints_pendingDeliveriesAreGivenUp_withTheReason(_ kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let routing = OutboxRouting(endpoints: [OutboxEndpoint(url: "http://kept/"), OutboxEndpoint(url: "http://gone/")]) { _ in "x" }
        let store = try outboxStore(fixture, routing)
        try succeed(store, try create(store))
        expectEqual(try store.giveUpDeliveries(toEndpointsOtherThan: ["http://kept/"], reason: "removed"), 1)
        expectEqual(try store.deliveries(failedOnly: true).map(\.endpointUrl), ["http://gone/"])
        expectEqual(try store.deliveries(failedOnly: true).first?.lastError, "removed")
        expectEqual(try store.giveUpDeliveries(toEndpointsOtherThan: [], reason: "all removed"), 1)
        expectEqual(try store.webhookMetrics().pending, 0)
    }
}

/// A thread-safe counter for callbacks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
