import IngestDownload
import IngestObjectStore
import MediaModel

/// The one place where the lower layers' errors become the contract's failure codes
/// (CONTRACT section 4) or worker faults. Check this file against the contract's table.
enum FailureMapping {
    /// A download's error.
    static func map(_ error: DownloadError) -> PipelineError {
        switch error.failure {
        case .urlInvalid: return .seller(.urlInvalid, error.message)
        case .failed: return .seller(.downloadFailed, error.message)
        case .timeout: return .seller(.downloadTimeout, error.message)
        case .sizeExceeded: return .seller(.sizeExceeded, error.message)
        case .localFault, .invalidConfig: return .workerFault("download: \(error.message)")
        case .cancelled: return .cancelled
        }
    }

    /// An optimizer's error: the file passed every check, so anything but our own fault or a
    /// stop is `optimization.failed`. A rendition that misses a point of the uniform rendition
    /// (`verificationFailed`) is our own fault too: it is never published, and the job is retried.
    static func mapOptimize(_ error: MediaError) -> PipelineError {
        switch error.code {
        case .cancelled: return .cancelled
        case .io, .verificationFailed: return .workerFault("optimize: \(error)")
        default: return .seller(.optimizationFailed, "\(error)")
        }
    }

    /// An object-store failure while publishing: always the worker's (retried, never FAILED),
    /// named with the bucket and the S3 error code; a stop is a stop.
    static func map(_ error: S3Error, bucket: String) -> PipelineError {
        error.code == .cancelled ? .cancelled : .workerFault("publish to bucket \(bucket): \(error)")
    }

    /// A file-system failure of the worker's own (scratch, media, status files).
    static func map(_ error: AtomicFile.Failure) -> PipelineError { .workerFault("\(error)") }
}
