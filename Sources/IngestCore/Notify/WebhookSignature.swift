import Foundation
import IngestCrypto

/// The Standard Webhooks signature: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed
/// by the secret's decoded bytes. The signed content is those bytes exactly, so the body sent
/// must be the body signed.
public enum WebhookSignature {
    /// The `webhook-signature` header value for one attempt.
    public static func sign(id: String, timestamp: Int64, body: String, secret: WebhookSecret) -> String {
        let mac = HMACSHA256.authenticationCode(key: secret.key, message: Array("\(id).\(timestamp).\(body)".utf8))
        return "v1," + Data(mac).base64EncodedString()
    }
}
