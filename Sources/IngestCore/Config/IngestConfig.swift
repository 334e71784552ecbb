import Foundation
import IngestObjectStore

/// The service's configuration (CONTRACT section 7). Every key is optional in a file: a missing
/// key takes its built-in default, which is the contract's value. A present key must be valid.
public struct IngestConfig: Sendable, Equatable {
    /// Where the spool lives; relative paths are taken from the current directory.
    public var spoolDirectory = "var"
    /// How many jobs run at once.
    public var workers = 2
    public var limits = Limits()
    public var download = Download()
    public var intake = Intake()
    public var optimization = Optimization()
    public var publish = Publish()
    public var pipeline = Pipeline()
    public var notify = Notify()
    public var http = HTTP()
    public var store = Store()

    /// The checks every downloaded file must pass.
    public struct Limits: Sendable, Equatable {
        public var maxFileSizeBytes: Int64 = 524_288_000
        public var minDurationSeconds: Double = 8
        public var maxDurationSeconds: Double = 120
        public var allowedFormats: [String] = ["mp4", "mov"]
    }

    /// How videos are fetched.
    public struct Download: Sendable, Equatable {
        public var timeoutSeconds: Double = 300
        public var stallTimeoutSeconds: Double = 30
        public var maxRedirects = 5
        public var retries = 2
        public var retryBackoffSeconds: Double = 1
        /// CIDR ranges that may be fetched although they are not public addresses.
        public var allowedNetworks: [String] = []
    }

    /// How drops are taken in.
    public struct Intake: Sendable, Equatable {
        public var storeFrontCodes: [String] = ["TR"]
        public var createsPerMinutePerSeller = 200
        /// Seconds between full rescans of the inbox (the safety net behind inotify).
        public var rescanSeconds: Double = 2
        /// How long idempotency keys are remembered (at least 24 hours).
        public var keyRetentionHours: Double = 48
    }

    /// The optimized rendition.
    public struct Optimization: Sendable, Equatable {
        public var maxHeight = 720
        public var maxFrameRate: Double = 30
        public var crf = 23
        public var preset = "veryfast"
        /// libx264 threads per job; 0 lets libx264 decide.
        public var x264Threads = 0
    }

    /// Where renditions are published and whether they go live at once.
    public struct Publish: Sendable, Equatable {
        public var publicBaseUrl: String? = nil
        /// Where renditions are written and served from, absolute or relative to the spool; nil is
        /// the spool's `media/` (CONTRACT section 10). Read when the daemon starts.
        public var mediaDirectory: String? = nil
        public var autoApprove = false
        /// Object storage (CONTRACT section 11); nil publishes into the spool's `media/`.
        public var s3: S3Settings? = nil
    }

    /// Retries of the worker's own faults (disk full, I/O errors, a crashed media child).
    public struct Pipeline: Sendable, Equatable {
        /// First retry delay after a worker fault; doubles up to `maxFaultBackoffSeconds`.
        public var faultBackoffSeconds: Double = 2
        public var maxFaultBackoffSeconds: Double = 300
        /// Worker faults a job may have before it is parked `stuck` (visible in `list --stuck`,
        /// requeued by `retry ID`); a worker fault never fails the seller's video.
        public var maxAttempts = 5
        /// Wall-clock limit of one media child process (sniff, probe, optimize), in seconds.
        public var mediaDeadlineSeconds: Double = 900
        /// Address-space limit of a media child (`RLIMIT_AS`), in bytes.
        public var mediaMemoryLimitBytes: Int64 = 2 << 30
        /// CPU-time limit of a media child (`RLIMIT_CPU`), in seconds of all its threads together.
        public var mediaCpuSeconds: Double = 1800
        /// Largest file a media child may write (`RLIMIT_FSIZE`), in bytes; 0 means
        /// 2 × `limits.maxFileSizeBytes` + 64 MiB.
        public var mediaOutputLimitBytes: Int64 = 0
        /// Open-file limit of a media child (`RLIMIT_NOFILE`).
        public var mediaOpenFiles = 64

        /// `mediaOutputLimitBytes`, or its default derived from the size limit.
        public func effectiveOutputLimitBytes(maxFileSizeBytes: Int64) -> Int64 {
            if mediaOutputLimitBytes > 0 { return mediaOutputLimitBytes }
            let doubled = maxFileSizeBytes.multipliedReportingOverflow(by: 2)
            let total = doubled.partialValue.addingReportingOverflow(64 << 20)
            return doubled.overflow || total.overflow ? Int64.max : total.partialValue
        }
    }

    /// Where the store is (CONTRACT section 10); read when the daemon or a command starts,
    /// except `leaseSeconds`, which applies to the next claim and renewal.
    public struct Store: Sendable, Equatable {
        /// Null: the embedded SQLite file in the spool. A `postgresql://` (or `postgres://`) URL:
        /// a PostgreSQL database that every daemon naming it shares (one fleet).
        public var url: String? = nil
        /// How long a claimed job's lease lasts without a renewal before another worker (or
        /// daemon) may take it over. The heartbeat renews every third of it.
        public var leaseSeconds: Double = 30
        /// A file holding the PostgreSQL password (instead of `PGPASSWORD` or `.pgpass`); null: none.
        public var passwordFile: String? = nil
    }

    /// The HTTP API (CONTRACT section 8). `listen`, `maxConnections` and `requestTimeoutSeconds`
    /// take effect when the daemon starts; the others on every request.
    public struct HTTP: Sendable, Equatable {
        /// `host:port` to serve on; nil turns the API off.
        public var listen: String? = nil
        public var apiKeys: [APIKey] = []
        public var maxUploadBytes: Int64 = 52_428_800
        public var readsPerMinutePerSeller = 1000
        public var requestTimeoutSeconds = 30
        public var maxConnections = 512
    }

    /// One accepted API key, stored as the hex SHA-256 of the key: a seller's, or an admin's.
    public struct APIKey: Sendable, Equatable {
        /// The seller the key speaks for; nil for an admin key.
        public var sellerId: String?
        /// The key's SHA-256 (32 bytes).
        public var sha256: [UInt8]
    }

    /// The built-in defaults: the contract's values.
    public init() {}
}
