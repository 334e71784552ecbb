/// Every error code of the contract, in one place, with the seed's messages.
///
/// `RequestErrorCode`: a drop or `enqueue` refused (the receipt's `errors`, CONTRACT section 3).
/// `FailureCode`: an accepted video that ended FAILED (the status document's `errorCode`, section 4).

/// Why a request was refused.
public enum RequestErrorCode: String, Sendable, CaseIterable {
    case titleRequired = "seller.integration.title.required"
    case titleLength = "seller.integration.title.length"
    case descriptionLength = "seller.integration.description.length"
    case videoUrlRequired = "seller.integration.video.url.required"
    case videoUrlInvalid = "seller.integration.video.url.invalid"
    case productContentIdsRequired = "seller.integration.product.content.ids.required"
    case productContentIdsMax = "seller.integration.product.content.ids.max"
    case invalidVideoContentType = "seller.integration.invalid.video.content.type"
    case invalidStoreFrontCode = "seller.integration.invalid.store.front.code"
    case bodyRequired = "seller.integration.body.required"
    case invalidStatus = "seller.integration.invalid.status"
    case idempotencyKeyReused = "idempotency_key_reused"

    /// The seed's message for the code.
    public var message: String {
        switch self {
        case .titleRequired: return "Title is required."
        case .titleLength: return "Title must be between 3 and 50 characters."
        case .descriptionLength: return "Description must be a maximum of 500 characters."
        case .videoUrlRequired: return "Video URL is required."
        case .videoUrlInvalid: return "Video URL must start with http:// or https://."
        case .productContentIdsRequired: return "At least one product content ID is required."
        case .productContentIdsMax: return "Product content ID list can contain a maximum of 100 elements."
        case .invalidVideoContentType:
            return "Invalid videoContentType value. Valid values: " + VideoContentType.allCases.map(\.rawValue).joined(separator: ", ") + "."
        case .invalidStoreFrontCode: return "Invalid storeFrontCode value."
        case .bodyRequired: return "Required fields are missing."
        case .invalidStatus: return "Invalid sellerIntegrationStatus value. Valid values: IN_PROGRESS, SUCCESS, FAILED."
        case .idempotencyKeyReused: return "This idempotency key was already used with a different request body."
        }
    }
}

/// Why an accepted video ended FAILED.
public enum FailureCode: String, Sendable, CaseIterable {
    case urlInvalid = "seller.integration.video.url.invalid"
    case downloadFailed = "seller.integration.video.download.failed"
    case downloadTimeout = "seller.integration.video.download.timeout"
    case sizeExceeded = "seller.integration.video.size.exceeded"
    case formatInvalid = "seller.integration.video.format.invalid"
    case durationInvalid = "seller.integration.video.duration.invalid"
    case optimizationFailed = "seller.integration.video.optimization.failed"

    /// The seed's message for the code.
    public var message: String {
        switch self {
        case .urlInvalid: return "Video URL is invalid or empty."
        case .downloadFailed: return "Video download failed."
        case .downloadTimeout: return "Video download timed out."
        case .sizeExceeded: return "Video size exceeds the maximum allowed limit."
        case .formatInvalid: return "Video format is invalid. Only .mp4 and .mov formats are supported."
        case .durationInvalid: return "Video duration must be between 8 and 120 seconds."
        case .optimizationFailed: return "Video could not be optimized."
        }
    }
}

/// The allowed `videoContentType` values; PRODUCT_PROMOTION when a request gives none.
public enum VideoContentType: String, Sendable, CaseIterable {
    case productPromotion = "PRODUCT_PROMOTION"
    case assemblyAndInstallation = "ASSEMBLY_AND_INSTALLATION"
    case packaging = "PACKAGING"
    case storePromotion = "STORE_PROMOTION"
    case advertisement = "ADVERTISEMENT"
    case productUsageAndExperience = "PRODUCT_USAGE_AND_EXPERIENCE"
}

/// The HTTP API's own error codes (CONTRACT section 8), beside the request codes above, with
/// the status each answers with.
public enum APIErrorCode: String, Sendable, CaseIterable {
    case unauthorized
    case forbidden
    case notFound = "not_found"
    case methodNotAllowed = "method_not_allowed"
    /// An approve of a video that is not SUCCESS, or of a rejected one (the contract is silent; 409).
    case invalidState = "invalid_state"
    case lengthRequired = "length_required"
    case payloadTooLarge = "payload_too_large"
    case unsupportedMediaType = "unsupported_media_type"
    /// A `Range` outside the file (416).
    case rangeNotSatisfiable = "range_not_satisfiable"
    /// A query parameter that is not valid (`page=-1`, `size=abc`; 400).
    case invalidParameter = "invalid_parameter"
    case rateLimitExceeded = "rate_limit_exceeded"
    /// Header fields over 64 KiB together (431).
    case headersTooLarge = "request_header_fields_too_large"
    case `internal`
    case unavailable

    /// The HTTP status of the code.
    public var status: Int {
        switch self {
        case .unauthorized: return 401
        case .forbidden: return 403
        case .notFound: return 404
        case .methodNotAllowed: return 405
        case .invalidState: return 409
        case .rangeNotSatisfiable: return 416
        case .invalidParameter: return 400
        case .lengthRequired: return 411
        case .payloadTooLarge: return 413
        case .unsupportedMediaType: return 415
        case .rateLimitExceeded: return 429
        case .headersTooLarge: return 431
        case .internal: return 500
        case .unavailable: return 503
        }
    }

    /// A message for the client (never a path, a stack or SQL).
    public var message: String {
        switch self {
        case .unauthorized: return "A valid API key is required (Authorization: Bearer <key>)."
        case .forbidden: return "This key may not do that."
        case .notFound: return "No such resource."
        case .methodNotAllowed: return "This method is not allowed here."
        case .invalidState: return "The video is not in a state that allows this."
        case .rangeNotSatisfiable: return "The requested range is outside the file."
        case .invalidParameter: return "A query parameter is not valid."
        case .lengthRequired: return "The request body needs a Content-Length."
        case .payloadTooLarge: return "The request body is too large."
        case .unsupportedMediaType: return "Send application/json or multipart/form-data."
        case .rateLimitExceeded: return "Too many requests; try again after Retry-After seconds."
        case .headersTooLarge: return "The request's header fields are larger than 64 KiB together."
        case .internal: return "Internal error."
        case .unavailable: return "The service is not available right now; try again later."
        }
    }
}
