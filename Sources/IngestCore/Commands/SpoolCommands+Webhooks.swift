import Foundation
import IngestStore

/// `video-ingest webhooks [--failed]` and `webhooks retry EVENT_ID` (CONTRACT section 9).
extension SpoolCommands {
    /// The deliveries, newest first, each with its last attempt and answer; `failedOnly`: the given-up ones.
    public func webhooks(failedOnly: Bool) -> CommandResult {
        do {
            let rows = try openStore().deliveries(failedOnly: failedOnly)
            let iso = ISO8601DateFormatter()
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return .ok(.object([("total", .integer(Int64(rows.count))), ("data", .array(rows.map { Self.json($0, iso) }))]))
        } catch {
            return .failure("\(error)")
        }
    }

    /// Sends a given-up event again: its given-up deliveries are due now, with a fresh retry window.
    public func retryWebhook(eventId: String) -> CommandResult {
        do {
            let count = try openStore().retryEvent(id: eventId)
            return .ok(.object([("eventId", .string(eventId)), ("requeued", .integer(Int64(count)))]))
        } catch {
            return .failure("\(error)")
        }
    }

    /// One delivery as `webhooks` prints it.
    static func json(_ d: DeliveryRecord, _ iso: ISO8601DateFormatter) -> JSONValue {
        func time(_ date: Date?) -> JSONValue { .string(date.map { iso.string(from: $0) }) }
        return .object([
            ("eventId", .string(d.eventId)), ("type", .string(d.eventType)), ("videoId", .string(d.videoId)),
            ("endpoint", .string(d.endpointUrl)), ("state", .string(d.state.rawValue)), ("attempts", .integer(Int64(d.attempts))),
            ("createdAt", time(d.createdAt)), ("lastAttemptAt", time(d.lastAttemptAt)),
            ("lastStatus", d.lastStatus.map { .integer(Int64($0)) } ?? .null), ("lastError", .string(d.lastError)),
            ("nextAttemptAt", time(d.state == .pending ? d.nextAttemptAt : nil)), ("finishedAt", time(d.finishedAt)),
        ])
    }
}
