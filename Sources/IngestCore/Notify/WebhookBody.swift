import IngestStore

/// The body of a delivery (CONTRACT section 9):
/// `{"type": …, "timestamp": <ISO 8601 UTC of the change>, "data": <status document + sellerId>}`,
/// with `data.removedProductContentIds` for `video.superseded`. The store calls it inside the
/// change's transaction (`OutboxRouting.makeBody`) and keeps the bytes; every attempt sends them.
enum WebhookBody {
    /// The compact JSON text of `event`'s body.
    @Sendable static func make(_ event: OutboxEvent) -> String {
        var data = StatusDocument.json(event.video)
        if let removed = event.removedProductContentIds, case .object(var members) = data {
            members.append(("removedProductContentIds", .array(removed.map(JSONValue.string))))
            data = .object(members)
        }
        return JSONValue.object([
            ("type", .string(event.type.rawValue)), ("timestamp", .string(event.timestamp)), ("data", data),
        ]).compact
    }
}
