/// A video's processing status, as written in its status document.
public enum VideoStatus: String, Sendable, Codable, CaseIterable {
    case inProgress = "IN_PROGRESS", success = "SUCCESS", failed = "FAILED"
}

/// A video's moderation state (CONTRACT section 6).
public enum ApprovalState: String, Sendable, Codable, CaseIterable {
    case pending = "PENDING", approved = "APPROVED", rejected = "REJECTED"
}

/// A validated request, ready to be stored as a new video.
public struct NewVideo: Sendable {
    /// The seller, named by the inbox folder.
    public var sellerId: String
    /// The title (3-50 characters, already validated).
    public var title: String
    /// The optional description.
    public var description: String?
    /// The source URL to download.
    public var videoUrl: String
    /// The requested product content ids, in request order.
    public var productContentIds: [String]
    /// One of the contract's video content types.
    public var videoContentType: String
    /// The store front code.
    public var storeFrontCode: String
    /// The spool the request came in through (`VideoOrigin`; recorded by `createVideo`).
    public var origin: String

    /// Creates a new-video request.
    public init(
        sellerId: String, title: String, description: String?, videoUrl: String,
        productContentIds: [String], videoContentType: String, storeFrontCode: String,
        origin: String = VideoOrigin.embeddedSpool
    ) {
        self.origin = origin
        self.sellerId = sellerId
        self.title = title
        self.description = description
        self.videoUrl = videoUrl
        self.productContentIds = productContentIds
        self.videoContentType = videoContentType
        self.storeFrontCode = storeFrontCode
    }
}

/// One stored video: everything its status document is made from.
public struct VideoRecord: Sendable, Equatable {
    /// The lowercase UUID.
    public var id: String
    /// Creation order: larger is newer.
    public var seq: Int64
    /// The owning seller.
    public var sellerId: String
    /// The title.
    public var title: String
    /// The description, if any.
    public var description: String?
    /// The source URL.
    public var videoUrl: String
    /// The product content ids currently shown in this video's document (after supersede), in request order.
    public var productContentIds: [String]
    /// Every product content id the request asked for, in request order.
    public var requestedProductContentIds: [String]
    /// The video content type.
    public var videoContentType: String
    /// The store front code.
    public var storeFrontCode: String
    /// IN_PROGRESS, SUCCESS or FAILED.
    public var status: VideoStatus
    /// The contract failure code when FAILED.
    public var errorCode: String?
    /// A human explanation of the failure.
    public var errorMessage: String?
    /// The published rendition's URL once SUCCESS.
    public var optimizedVideoUrl: String?
    /// The poster frame's URL, if any.
    public var posterUrl: String?
    /// The measured duration.
    public var durationSeconds: Double?
    /// PENDING, APPROVED or REJECTED.
    public var approval: ApprovalState
    /// Why it was rejected, if given.
    public var rejectReason: String?
    /// True once deleted: no longer listed; its media is removed by the caller.
    public var deleted: Bool
    /// The pipeline stage shown to users, if any.
    public var stage: String?
    /// Progress of the current stage, 0...1, if known.
    public var progress: Double?
    /// Creation time, ISO-8601 UTC with milliseconds.
    public var createdAt: String
    /// Last change, ISO-8601 UTC with milliseconds.
    public var updatedAt: String

    /// The contract's `isApproved`: SUCCESS, approved and not deleted.
    public var isApproved: Bool { status == .success && approval == .approved && !deleted }

    /// Creates a record (the store builds these; public for tests of callers).
    public init(
        id: String, seq: Int64, sellerId: String, title: String, description: String?, videoUrl: String,
        productContentIds: [String], requestedProductContentIds: [String], videoContentType: String,
        storeFrontCode: String, status: VideoStatus, errorCode: String?, errorMessage: String?,
        optimizedVideoUrl: String?, posterUrl: String?, durationSeconds: Double?, approval: ApprovalState,
        rejectReason: String?, deleted: Bool, stage: String?, progress: Double?, createdAt: String, updatedAt: String
    ) {
        self.id = id
        self.seq = seq
        self.sellerId = sellerId
        self.title = title
        self.description = description
        self.videoUrl = videoUrl
        self.productContentIds = productContentIds
        self.requestedProductContentIds = requestedProductContentIds
        self.videoContentType = videoContentType
        self.storeFrontCode = storeFrontCode
        self.status = status
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.optimizedVideoUrl = optimizedVideoUrl
        self.posterUrl = posterUrl
        self.durationSeconds = durationSeconds
        self.approval = approval
        self.rejectReason = rejectReason
        self.deleted = deleted
        self.stage = stage
        self.progress = progress
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One request of a `createVideos` batch: the video, its idempotency key and its body's digest.
public struct CreateRequest: Sendable {
    /// The video to store.
    public var video: NewVideo
    /// The seller's idempotency key (the drop's file name, or the `Idempotency-Key` header).
    public var idempotencyKey: String
    /// The canonical body's SHA-256: "same key, same body" compares it.
    public var bodyDigest: String

    /// A request of a batch.
    public init(video: NewVideo, idempotencyKey: String, bodyDigest: String) {
        self.video = video
        self.idempotencyKey = idempotencyKey
        self.bodyDigest = bodyDigest
    }
}

/// That a spool's status file of a video now holds document `version` (`markStatusWritten`).
public struct StatusMark: Sendable, Equatable {
    /// The video.
    public var videoId: String
    /// The document version the file holds.
    public var version: Int64

    /// A mark of one status file.
    public init(videoId: String, version: Int64) {
        self.videoId = videoId
        self.version = version
    }
}

/// What `createVideo` did with a drop.
public enum CreateOutcome: Sendable, Equatable {
    /// A new video was stored.
    case created(videoId: String)
    /// The same key with the same body was seen before: the same video, nothing new stored.
    case existing(videoId: String)
    /// The same key was used before with another body (`idempotency_key_reused`).
    case keyReused(existingVideoId: String)
}

/// One video's processing job.
public struct JobRecord: Sendable, Equatable {
    /// The job's id.
    public var id: Int64
    /// The video it processes.
    public var videoId: String
    /// `available`, `running`, `stuck`, `done`, `failed` or `cancelled` (see `JobState`).
    public var state: String
    /// The last finished stage (the caller's name), nil before the first.
    public var stage: String?
    /// How many times the job was claimed.
    public var attempt: Int
    /// How many releases were counted as faults (since the last `retry`).
    public var faultAttempts: Int
    /// Not claimable before this time (unix milliseconds).
    public var runAt: Int64
    /// The worker holding the lease while running.
    public var leaseOwner: String?
    /// When the lease runs out by the wall clock of its last renewal (unix milliseconds; informative:
    /// rescues are decided on a monotonic clock, see `LeaseObservation`).
    public var leaseExpiresAt: Int64?
    /// The last error recorded for a retry or failure.
    public var lastError: String?
    /// The number of the latest claim (0 before the first).
    public var leaseGeneration: Int64
    /// How many times the current lease was renewed.
    public var leaseBeats: Int64

    /// The token of the current claim while the job is running.
    public var lease: LeaseToken? {
        guard state == JobState.running.rawValue, let leaseOwner else { return nil }
        return LeaseToken(jobId: id, owner: leaseOwner, generation: leaseGeneration)
    }

    /// Creates a job record.
    public init(
        id: Int64, videoId: String, state: String, stage: String?, attempt: Int, faultAttempts: Int,
        runAt: Int64, leaseOwner: String?, leaseExpiresAt: Int64?, lastError: String?,
        leaseGeneration: Int64 = 0, leaseBeats: Int64 = 0
    ) {
        self.id = id
        self.videoId = videoId
        self.state = state
        self.stage = stage
        self.attempt = attempt
        self.faultAttempts = faultAttempts
        self.runAt = runAt
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.lastError = lastError
        self.leaseGeneration = leaseGeneration
        self.leaseBeats = leaseBeats
    }
}

/// The states of a job (`jobs.state`). `done`, `failed` and `cancelled` are terminal.
public enum JobState: String, Sendable, CaseIterable {
    /// Waiting to be claimed (from `run_at`).
    case available
    /// Claimed: one worker holds its lease.
    case running
    /// Parked after `pipeline.maxAttempts` worker faults; `video-ingest retry` makes it available.
    case stuck
    /// The video reached SUCCESS.
    case done
    /// The video reached FAILED.
    case failed
    /// The video was deleted while its job was not settled; no worker writes for it any more.
    case cancelled

    /// Whether no worker will ever run the job again.
    public var isTerminal: Bool { self == .done || self == .failed || self == .cancelled }
}

/// A `list` request: optional filters (combined with AND), a 0-based page and a page size.
public struct ListQuery: Sendable {
    /// Only this seller's videos.
    public var sellerId: String?
    /// Only the video with this id.
    public var id: String?
    /// Only videos with this status.
    public var status: VideoStatus?
    /// Only videos whose job is parked `stuck` (`list --stuck`).
    public var stuck: Bool
    /// The 0-based page.
    public var page: Int
    /// Items per page (at least 1).
    public var size: Int

    /// Creates a query.
    public init(sellerId: String? = nil, id: String? = nil, status: VideoStatus? = nil, stuck: Bool = false,
                page: Int = 0, size: Int = 10) {
        self.sellerId = sellerId
        self.id = id
        self.status = status
        self.stuck = stuck
        self.page = page
        self.size = size
    }
}

/// One page of a listing.
public struct ListPage: Sendable {
    /// How many videos match the filter across all pages.
    public var total: Int
    /// This page's videos, newest first.
    public var items: [VideoRecord]

    /// Creates a page.
    public init(total: Int, items: [VideoRecord]) {
        self.total = total
        self.items = items
    }
}
