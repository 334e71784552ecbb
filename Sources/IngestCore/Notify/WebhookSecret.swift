import Foundation

/// An endpoint's signing secret, `whsec_<base64>` (CONTRACT section 9): the HMAC key is the
/// base64-decoded part after the prefix. Its description never shows the key, so a secret cannot
/// reach a log line or `config check` by accident.
public struct WebhookSecret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The required prefix.
    public static let prefix = "whsec_"

    /// The HMAC-SHA256 key.
    public let key: [UInt8]

    /// Parses `text`; nil unless it is `whsec_` followed by non-empty base64 (padding optional).
    public init?(_ text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        var encoded = String(text.dropFirst(Self.prefix.count))
        while encoded.count % 4 != 0 { encoded += "=" }
        guard let data = Data(base64Encoded: encoded), !data.isEmpty else { return nil }
        key = Array(data)
    }

    public var description: String { "whsec_…(redacted)" }
    public var debugDescription: String { description }
}
