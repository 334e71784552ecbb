import Foundation

/// The events of CONTRACT section 9, by their wire names.
public enum EventType: String, Sendable, CaseIterable, Equatable {
    case succeeded = "video.succeeded", failed = "video.failed", approved = "video.approved"
    case rejected = "video.rejected", deleted = "video.deleted", superseded = "video.superseded"
}

/// One webhook endpoint as the outbox routes events to it (`notify.endpoints[i]` without its secret:
/// the store never holds secrets). The URL is the endpoint's identity.
public struct OutboxEndpoint: Sendable, Equatable {
    /// Where deliveries go; also the key of its `deliveries` rows.
    public var url: String
    /// The event types it wants; empty means all.
    public var events: [EventType]
    /// Only this seller's videos; nil means every seller's.
    public var sellerId: String?

    /// Creates an endpoint route.
    public init(url: String, events: [EventType] = [], sellerId: String? = nil) {
        self.url = url
        self.events = events
        self.sellerId = sellerId
    }

    /// Whether an event of `type` about a video of `sellerId` goes to this endpoint.
    public func wants(_ type: EventType, sellerId videoSeller: String) -> Bool {
        (events.isEmpty || events.contains(type)) && (sellerId == nil || sellerId == videoSeller)
    }
}

/// What the body builder is given, inside the transaction of the change: the video as that
/// change left it.
public struct OutboxEvent: Sendable {
    /// The event's id (`webhook-id`), the same for every endpoint and every attempt.
    public var id: String
    /// Its type.
    public var type: EventType
    /// The commit time, ISO 8601 UTC with milliseconds.
    public var timestamp: String
    /// The video after the change.
    public var video: VideoRecord
    /// For `video.superseded`: the product ids the video just lost, in request order.
    public var removedProductContentIds: [String]?
}

/// How the store turns changes into outbox rows: the endpoints in force and the builder of an
/// event's body. The store asks its provider at every change, so a reloaded config applies to
/// the next change. The body is built by the caller's layer (IngestCore owns the status
/// document's format), but called here, so its snapshot is the committed one.
public struct OutboxRouting: Sendable {
    /// The endpoints in force.
    public var endpoints: [OutboxEndpoint]
    /// The exact bytes (as text) of an event's body.
    public var makeBody: @Sendable (OutboxEvent) -> String

    /// Creates a routing.
    public init(endpoints: [OutboxEndpoint], makeBody: @escaping @Sendable (OutboxEvent) -> String) {
        self.endpoints = endpoints
        self.makeBody = makeBody
    }
}

/// Where a delivery stands.
public enum DeliveryState: String, Sendable, Equatable {
    /// Not delivered yet; attempted again at `nextAttemptAt`.
    case pending
    /// A 2xx answer came back.
    case delivered
    /// Given up (retries ran out, the address was refused, the endpoint was removed).
    case failed
}

/// One (event, endpoint) delivery with its event.
public struct DeliveryRecord: Sendable, Equatable {
    /// The delivery's row, in commit order.
    public var seq: Int64
    /// The event's id (`webhook-id`).
    public var eventId: String
    /// The event's type (wire name).
    public var eventType: String
    /// The video it is about.
    public var videoId: String
    /// The endpoint it goes to.
    public var endpointUrl: String
    /// pending, delivered or failed.
    public var state: DeliveryState
    /// Attempts made so far.
    public var attempts: Int
    /// When the retry window started (the commit, or the last `webhooks retry`).
    public var windowStart: Date
    /// When the next attempt is due (pending only).
    public var nextAttemptAt: Date
    /// The last attempt, if any.
    public var lastAttemptAt: Date?
    /// The HTTP status of the last answer, if one came.
    public var lastStatus: Int?
    /// Why the last attempt did not deliver, or why it was given up.
    public var lastError: String?
    /// When it was delivered or given up.
    public var finishedAt: Date?
    /// When the event was committed.
    public var createdAt: Date
    /// The exact body every attempt sends.
    public var body: String
}

/// What one attempt decided, recorded by `VideoStore.recordDeliveryAttempt`.
public enum DeliveryAttemptResult: Sendable, Equatable {
    /// A 2xx answer: done.
    case delivered
    /// Not delivered; try again at this time.
    case retry(at: Date)
    /// Not delivered and never tried again (unless `webhooks retry`).
    case givenUp
}

/// The counters a metrics endpoint exposes (CONTRACT section 9: deliveries by result, queue
/// depth, oldest pending age), read in one snapshot.
public struct WebhookMetrics: Sendable, Equatable {
    /// Deliveries that got a 2xx answer.
    public var delivered: Int
    /// Deliveries given up.
    public var givenUp: Int
    /// Deliveries waiting (the queue depth).
    public var pending: Int
    /// Attempts that did not deliver (timeouts, refusals, non-2xx answers), over all deliveries.
    public var failedAttempts: Int
    /// Seconds since the oldest pending delivery's event was committed; 0 when none is pending.
    public var oldestPendingAgeSeconds: Double
}
