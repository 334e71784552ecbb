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
