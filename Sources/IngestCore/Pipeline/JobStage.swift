/// The stages of a job, recorded in the store as each one finishes, so that a restarted daemon
/// resumes after the last finished stage and repeats at most one.
public enum JobStage: String, Sendable, CaseIterable {
    case download, check, optimize, publish

    /// The value stored once this stage has finished.
    public var finishedMarker: String {
        switch self {
        case .download: return "downloaded"
        case .check: return "checked"
        case .optimize: return "optimized"
        case .publish: return "published"
        }
    }

    /// The stage to run next after the stored marker (nil: nothing finished yet).
    public static func next(after marker: String?) -> JobStage? {
        guard let marker else { return .download }
        guard let index = allCases.firstIndex(where: { $0.finishedMarker == marker }) else { return .download }
        let next = allCases.index(after: index)
        return next < allCases.endIndex ? allCases[next] : nil
    }
}
