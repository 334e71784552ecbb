/// The stages of a job, in order. Each finished stage's typed result is kept in the store
/// (`StageResults`), so a restarted daemon resumes after the last finished stage and repeats at most one.
public enum JobStage: String, Sendable, CaseIterable {
    case download, check, optimize, publish

    /// The position in the pipeline (0 for download).
    var order: Int { Self.allCases.firstIndex(of: self)! }

    /// The job's `stage` marker once this stage has finished.
    public var finishedMarker: String {
        switch self {
        case .download: return "downloaded"
        case .check: return "checked"
        case .optimize: return "optimized"
        case .publish: return "published"
        }
    }

    /// This stage and every later one.
    var andLater: [JobStage] { Self.allCases.filter { $0.order >= order } }

    /// The stage before this one (nil for download).
    var previous: JobStage? { order == 0 ? nil : Self.allCases[order - 1] }
}
