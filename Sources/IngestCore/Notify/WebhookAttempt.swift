import Foundation
import IngestDownload
import IngestStore

/// One attempt of one delivery: the Standard Webhooks request, and what its answer decides.
struct WebhookAttempt {
    let delivery: DeliveryRecord
    let endpoint: IngestConfig.WebhookEndpoint
    let notify: IngestConfig.Notify

    /// The three `webhook-*` headers for an attempt at `timestamp` (Unix seconds): the id stays,
    /// the timestamp and the signature are this attempt's.
    func headers(timestamp: Int64) -> [String] {
        let signature = WebhookSignature.sign(id: delivery.eventId, timestamp: timestamp, body: delivery.body, secret: endpoint.secret)
        return ["webhook-id: \(delivery.eventId)", "webhook-timestamp: \(timestamp)", "webhook-signature: \(signature)"]
    }

    /// POSTs the body (blocking, at most `notify.timeoutSeconds`).
    func send(with poster: HTTPPoster) -> PostOutcome {
        let policy = AddressPolicy(allowedNetworks: notify.allowedNetworks.compactMap(CIDR.parse), settingName: "notify.allowedNetworks")
        return poster.post(url: delivery.endpointUrl, body: delivery.body, headers: headers(timestamp: Int64(Date().timeIntervalSince1970)),
                           timeoutSeconds: notify.timeoutSeconds, policy: policy)
    }

    /// 2xx: delivered. A refused address: given up at once (nothing was sent; retrying cannot
    /// help until the config changes, and `webhooks retry` re-sends it then). Anything else:
    /// the retry schedule.
    func decide(_ outcome: PostOutcome, now: Date) -> DeliveryAttemptResult {
        if outcome.isSuccess { return .delivered }
        if outcome.refusal != nil { return .givenUp }
        return RetrySchedule(notify).afterFailure(attempt: delivery.attempts + 1, windowStart: delivery.windowStart, now: now)
    }

    /// Why an attempt did not deliver, for the log and `webhooks`.
    func reason(_ outcome: PostOutcome) -> String {
        if let refusal = outcome.refusal { return "refused: \(refusal); never connected" }
        if outcome.timedOut { return "no answer within notify.timeoutSeconds (\(notify.timeoutSeconds) s): \(outcome.error ?? "timeout")" }
        if let error = outcome.error { return error }
        let answer = outcome.answer.trimmingCharacters(in: .whitespacesAndNewlines).prefix(120)
        return "HTTP \(outcome.status ?? 0)" + (answer.isEmpty ? "" : ": \(answer)")
    }
}
