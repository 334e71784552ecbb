/// How a pipeline stage can end other than in success.
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    /// The seller's video is at fault: the video ends FAILED with this contract code.
    case seller(FailureCode, String)
    /// The worker is at fault (disk full, I/O error, a crashed child): the job is retried later,
    /// never FAILED for it.
    case workerFault(String)
    /// The daemon is stopping: the job goes back to the queue as it is.
    case cancelled

    public var description: String {
        switch self {
        case .seller(let code, let message): return "\(code.rawValue): \(message)"
        case .workerFault(let message): return "worker fault: \(message)"
        case .cancelled: return "cancelled"
        }
    }
}
