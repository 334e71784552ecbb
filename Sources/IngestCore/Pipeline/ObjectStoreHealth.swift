import Foundation
import IngestObjectStore

/// Whether publishing to `publish.s3` works, as the last upload found it: a bucket that refuses
/// the credentials (403: `AccessDenied`, `SignatureDoesNotMatch`, …) makes the daemon not ready
/// (`/readyz` 503) until an upload succeeds again; every job meanwhile stays IN_PROGRESS and is
/// retried as a worker fault. Outages are not recorded here: they are retried and pass.
final class ObjectStoreHealth: @unchecked Sendable {
    /// The daemon's one instance (publish and the HTTP API share it).
    static let shared = ObjectStoreHealth()

    private let lock = NSLock()
    private var refusal: String?

    /// Why the bucket refuses to publish, or nil while it accepts.
    var problem: String? { lock.withLock { refusal } }

    /// Records an upload's failure; only a refusal of the credentials counts.
    func record(_ error: S3Error, bucket: String) {
        guard error.code == .accessDenied else { return }
        lock.withLock { refusal = "the bucket \(bucket) refuses the credentials: \(error)" }
    }

    /// Records a confirmed upload.
    func recordSuccess() { lock.withLock { refusal = nil } }
}
