import Foundation
import IngestCrypto
import IngestStore

/// Turns one request (a drop file's body, or `video-ingest enqueue`) into a stored video or a
/// refusal. Drops and `enqueue` share this code, so they answer alike.
public struct IntakeService: Sendable {
    /// What became of a request.
    public enum Outcome: Sendable, Equatable {
        /// Stored (or found stored under the same key and body): the receipt is `{"videoId": …}`.
        case accepted(videoId: String, created: Bool)
        /// Refused: the receipt lists every problem.
        case rejected(RequestRejection)

        /// The receipt document.
        public var receipt: JSONValue {
            switch self {
            case .accepted(let id, _): return .object([("videoId", .string(id))])
            case .rejected(let rejection): return rejection.document
            }
        }
    }

    /// A seller id or idempotency key: 1-64 of `[A-Za-z0-9._-]`, not `.` or `..`.
    public static func isValidName(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count), name != ".", name != ".." else { return false }
        return name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x2D
        }
    }

    let store: any VideoStore
    let config: IngestConfig
    /// The spool the requests come in through (`SpoolOrigin`), recorded with each video.
    let origin: String

    /// A service storing requests that come in through the spool of `origin`.
    public init(store: any VideoStore, config: IngestConfig, origin: String) {
        self.store = store
        self.config = config
        self.origin = origin
    }

    /// A request checked and ready to store, or refused before reaching the store.
    public enum Prepared: Sendable {
        /// Valid: the store request (video, key, canonical body digest).
        case ready(CreateRequest)
        /// Refused: the receipt lists every problem.
        case rejected(RequestRejection)
    }

    /// Validates and stores one request. Throws only for the worker's own faults (the store
    /// could not commit): the request is then not answered and must be tried again.
    ///
    /// `uploadedVideoUrl` (an `upload://` URL, `Uploads`) is the video of an HTTP upload: the body
    /// then carries no `videoUrl` but the file's digest, so "same body" includes the same file.
    public func submit(sellerId: String, key: String, body: Data, uploadedVideoUrl: String? = nil, now: Date = Date()) throws -> Outcome {
        switch prepare(sellerId: sellerId, key: key, body: body, uploadedVideoUrl: uploadedVideoUrl) {
        case .rejected(let rejection): return .rejected(rejection)
        case .ready(let request): return try commit([request], now: now)[0]
        }
    }

    /// Checks one request without touching the store: the seller id, the key and the body
    /// (`RequestValidator`), and the canonical body's digest that "same body" compares.
    public func prepare(sellerId: String, key: String, body: Data, uploadedVideoUrl: String? = nil) -> Prepared {
        guard Self.isValidName(sellerId) else {
            return .rejected(RequestRejection([RequestError(.bodyRequired, field: nil,
                message: "The seller id must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'.")]))
        }
        guard Self.isValidName(key) else {
            return .rejected(RequestRejection([RequestError(.bodyRequired, field: nil,
                message: "The idempotency key (the file name without .json) must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'.")]))
        }
        switch RequestValidator.validate(body: body, storeFrontCodes: config.intake.storeFrontCodes, uploaded: uploadedVideoUrl != nil) {
        case .failure(let rejection): return .rejected(rejection)
        case .success(let request):
            // Validation succeeded, so the body parses; its canonical form is what "same body" means.
            let digest = SHA256.hex(Array(((try? JSONParser.parse(body))?.canonical.compact ?? "").utf8))
            let video = NewVideo(sellerId: sellerId, title: request.title, description: request.description,
                                 videoUrl: uploadedVideoUrl ?? request.videoUrl, productContentIds: request.productContentIds,
                                 videoContentType: request.videoContentType.rawValue, storeFrontCode: request.storeFrontCode,
                                 origin: origin)
            return .ready(CreateRequest(video: video, idempotencyKey: key, bodyDigest: digest))
        }
    }

    /// Stores prepared requests in one store transaction (a group commit); one outcome per
    /// request, in order. Throws only for the worker's own faults: then none is stored.
    public func commit(_ requests: [CreateRequest], now: Date = Date()) throws -> [Outcome] {
        try store.createVideos(requests, now: now).map { created in
            switch created {
            case .created(let id): return .accepted(videoId: id, created: true)
            case .existing(let id): return .accepted(videoId: id, created: false)
            case .keyReused: return .rejected(RequestRejection([RequestError(.idempotencyKeyReused, field: nil)]))
            }
        }
    }
}
