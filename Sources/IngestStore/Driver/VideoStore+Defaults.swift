import Foundation

/// The default arguments of `VideoStore`'s requirements (a protocol requirement cannot have any):
/// each overload fills in what it leaves out (`now` is the current time) and calls the requirement.
/// They are overloads with fewer parameters, never the requirement's own signature, so a driver
/// that forgets a requirement does not compile.
extension VideoStore {
    /// Rate limits
    public func take(sellerId: String, kind: String, limit: Int) throws -> Int? {
        try take(sellerId: sellerId, kind: kind, limit: limit, now: Date())
    }

    /// Counts one request of `kind` by `sellerId` unless `limit` were already counted in the minute
    /// ending at `now` (`reserve` of one place): nil when counted, or the whole seconds until a
    /// place frees up (at least 1).
    public func take(sellerId: String, kind: String, limit: Int, now: Date) throws -> Int? {
        switch try reserve(sellerId: sellerId, kind: kind, limit: limit, count: 1, giveBack: nil, now: now) {
        case .granted: return nil
        case .refused(let wait): return wait
        }
    }

    /// Intake
    public func createVideo(_ video: NewVideo, idempotencyKey: String, bodyDigest: String) throws -> CreateOutcome {
        try createVideo(video, idempotencyKey: idempotencyKey, bodyDigest: bodyDigest, now: Date())
    }

    /// Intake: one request stored in its own transaction (`createVideos` of one).
    public func createVideo(_ video: NewVideo, idempotencyKey: String, bodyDigest: String, now: Date) throws -> CreateOutcome {
        let outcomes = try createVideos([CreateRequest(video: video, idempotencyKey: idempotencyKey, bodyDigest: bodyDigest)], now: now)
        guard let outcome = outcomes.first else { throw StoreError(.misuse, "createVideos returned no outcome") }
        return outcome
    }

    /// Test-only: stores many videos in one transaction (keys `bulk-<n>`, one body digest).
    func createVideosInBulk(_ videos: [NewVideo], now: Date = Date()) throws -> [String] {
        let requests = videos.enumerated().map { CreateRequest(video: $1, idempotencyKey: "bulk-\($0)", bodyDigest: "bulk") }
        return try zip(try createVideos(requests, now: now), requests).map { outcome, request in
            guard case .created(let id) = outcome else { throw StoreError(.misuse, "bulk key \(request.idempotencyKey) already used") }
            return id
        }
    }

    /// Status files: one mark (`markStatusWritten` of a batch of one).
    public func markStatusWritten(videoId: String, origin: String, version: Int64) throws {
        try markStatusWritten([StatusMark(videoId: videoId, version: version)], origin: origin)
    }

    /// Jobs: claims any due job now.
    public func claimJob(owner: String, leaseSeconds: Double) throws -> JobRecord? {
        try claimJob(owner: owner, leaseSeconds: leaseSeconds, now: Date(), videoId: nil)
    }

    /// Jobs: claims any job due at `now`.
    public func claimJob(owner: String, leaseSeconds: Double, now: Date) throws -> JobRecord? {
        try claimJob(owner: owner, leaseSeconds: leaseSeconds, now: now, videoId: nil)
    }

    /// Jobs
    public func renewLease(_ lease: LeaseToken, leaseSeconds: Double) throws {
        try renewLease(lease, leaseSeconds: leaseSeconds, now: Date())
    }

    /// Jobs: no fault limit, now.
    @discardableResult
    public func releaseJob(_ lease: LeaseToken, runAt: Date, error: String?, countAsFault: Bool) throws -> JobState {
        try releaseJob(lease, runAt: runAt, error: error, countAsFault: countAsFault, maxFaultAttempts: Int.max, now: Date())
    }

    /// Jobs: now.
    @discardableResult
    public func releaseJob(_ lease: LeaseToken, runAt: Date, error: String?, countAsFault: Bool,
                           maxFaultAttempts: Int) throws -> JobState {
        try releaseJob(lease, runAt: runAt, error: error, countAsFault: countAsFault, maxFaultAttempts: maxFaultAttempts, now: Date())
    }

    /// Jobs: no fault limit.
    @discardableResult
    public func releaseJob(_ lease: LeaseToken, runAt: Date, error: String?, countAsFault: Bool, now: Date) throws -> JobState {
        try releaseJob(lease, runAt: runAt, error: error, countAsFault: countAsFault, maxFaultAttempts: Int.max, now: now)
    }

    /// Jobs
    public func retryStuck(videoId: String) throws -> [String] {
        try retryStuck(videoId: videoId, now: Date())
    }

    /// Outcomes
    public func failVideo(_ lease: LeaseToken, videoId: String, errorCode: String, errorMessage: String?) throws -> [String] {
        try failVideo(lease, videoId: videoId, errorCode: errorCode, errorMessage: errorMessage, now: Date())
    }

    /// Outcomes
    public func succeedVideo(_ lease: LeaseToken, videoId: String, optimizedVideoUrl: String, posterUrl: String?,
                             durationSeconds: Double?, autoApprove: Bool) throws -> [String] {
        try succeedVideo(lease, videoId: videoId, optimizedVideoUrl: optimizedVideoUrl, posterUrl: posterUrl,
                         durationSeconds: durationSeconds, autoApprove: autoApprove, now: Date())
    }

    /// Status files: up to 100,000.
    public func staleStatusVideoIds(origin: String) throws -> [String] {
        try staleStatusVideoIds(origin: origin, limit: 100_000)
    }

    /// Webhooks: no callback after commits.
    public func setOutbox(_ routing: @escaping @Sendable () -> OutboxRouting) throws {
        try setOutbox(routing, onEventsCommitted: nil)
    }

    /// Webhooks: one partition, now, 50 at most.
    public func dueDeliveries(endpointUrl: String) throws -> [DeliveryRecord] {
        try dueDeliveries(endpointUrl: endpointUrl, partition: (0, 1), now: Date(), limit: 50)
    }

    /// Webhooks: one partition, 50 at most.
    public func dueDeliveries(endpointUrl: String, now: Date) throws -> [DeliveryRecord] {
        try dueDeliveries(endpointUrl: endpointUrl, partition: (0, 1), now: now, limit: 50)
    }

    /// Webhooks: now, 50 at most.
    public func dueDeliveries(endpointUrl: String, partition: (index: Int, count: Int)) throws -> [DeliveryRecord] {
        try dueDeliveries(endpointUrl: endpointUrl, partition: partition, now: Date(), limit: 50)
    }

    /// Webhooks: one partition.
    public func nextDeliveryDue(endpointUrl: String) throws -> Date? {
        try nextDeliveryDue(endpointUrl: endpointUrl, partition: (0, 1))
    }

    /// Webhooks
    @discardableResult
    public func recordDeliveryAttempt(seq: Int64, result: DeliveryAttemptResult, httpStatus: Int?, error: String?) throws -> Bool {
        try recordDeliveryAttempt(seq: seq, result: result, httpStatus: httpStatus, error: error, now: Date())
    }

    /// Webhooks
    @discardableResult
    public func giveUpDeliveries(toEndpointsOtherThan endpointUrls: [String], reason: String) throws -> Int {
        try giveUpDeliveries(toEndpointsOtherThan: endpointUrls, reason: reason, now: Date())
    }

    /// Webhooks: up to 1000.
    public func deliveries(failedOnly: Bool) throws -> [DeliveryRecord] {
        try deliveries(failedOnly: failedOnly, limit: 1000)
    }

    /// Webhooks
    public func retryEvent(id: String) throws -> Int {
        try retryEvent(id: id, now: Date())
    }

    /// Webhooks
    public func webhookMetrics() throws -> WebhookMetrics {
        try webhookMetrics(now: Date())
    }

    /// Objects
    public func recordPublishedObjects(videoId: String, _ objects: [StoredObject]) throws {
        try recordPublishedObjects(videoId: videoId, objects, now: Date())
    }

    /// Objects: now, 50 at most.
    public func dueObjectDeletions() throws -> [ObjectDeletion] {
        try dueObjectDeletions(now: Date(), limit: 50)
    }

    /// Objects: 50 at most.
    public func dueObjectDeletions(now: Date) throws -> [ObjectDeletion] {
        try dueObjectDeletions(now: now, limit: 50)
    }

    /// Health
    public func jobCounts() throws -> JobCounts {
        try jobCounts(now: Date())
    }
}
