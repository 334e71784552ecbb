import IngestStore

extension IngestConfig {
    /// Signed webhooks (CONTRACT section 9).
    public struct Notify: Sendable, Equatable {
        /// Where events go.
        public var endpoints: [WebhookEndpoint] = []
        /// One attempt's limit (connect, send, answer), in seconds.
        public var timeoutSeconds: Double = 10
        /// Failed deliveries are retried for at least this long after their event, then given up.
        public var retryForSeconds: Double = 86_400
        /// The delay before the first retry (the schedule grows from it; docs/WEBHOOKS.md).
        public var firstRetrySeconds: Double = 5
        /// CIDR ranges receivers may be at although they are not public addresses.
        public var allowedNetworks: [String] = []
    }

    /// One `notify.endpoints[i]`.
    public struct WebhookEndpoint: Sendable, Equatable, CustomStringConvertible {
        /// The receiver (http or https); the endpoint's identity.
        public var url: String
        /// The signing secret; never printed.
        public var secret: WebhookSecret
        /// The event types wanted; empty means all.
        public var events: [EventType]
        /// Only this seller's videos; nil means every seller's.
        public var sellerId: String?

        /// The endpoint without its secret (logs, `config check`).
        public var description: String { "\(url) (events: \(events.isEmpty ? "all" : events.map(\.rawValue).joined(separator: ",")))" }
    }

    /// The outbox's routing for this config: its endpoints, and bodies built by `WebhookBody`.
    public var outboxRouting: OutboxRouting {
        OutboxRouting(endpoints: notify.endpoints.map { OutboxEndpoint(url: $0.url, events: $0.events, sellerId: $0.sellerId) },
                      makeBody: WebhookBody.make)
    }
}
