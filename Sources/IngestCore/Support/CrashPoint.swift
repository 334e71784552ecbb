import Foundation

/// Test-only crash points: with `VIDEO_INGEST_CRASH_AT=<point>` in the environment, the daemon
/// dies with SIGKILL the first time it reaches that point, as a power cut would (no clean-up, no
/// buffered output). Without the variable every `reached` is one comparison against nil.
///
/// The variable is read once, at the first `reached`. Unknown names are reported once in the log
/// and ignored.
public enum CrashPoint: String, Sendable, CaseIterable {
    /// Intake: the request is committed in the store; no status file, no receipt yet.
    case afterStoreBeforeReceipt = "after-store-before-receipt"
    /// Intake: the receipt is written; the drop file is still in the inbox.
    case afterReceiptBeforeRemove = "after-receipt-before-remove"
    /// Download: some body bytes are on disk in `scratch/<id>/source.part`.
    case midDownload = "mid-download"
    /// Download finished, `scratch/<id>/source` in place and the stage recorded (`downloaded`):
    /// a restart must go on from the scratch copy, not fetch again.
    case afterDownload = "after-download"
    /// Optimize: the optimizer reported its first progress (a partial rendition is in scratch).
    case midOptimize = "mid-optimize"
    /// Publish: the rendition is in `media/<id>/`; SUCCESS is not committed.
    case afterMediaMoveBeforeCommit = "after-media-move-before-commit"
    /// Publish to object storage: every object is uploaded and confirmed; SUCCESS is not committed.
    case afterUploadBeforeCommit = "after-upload-before-commit"
    /// Publish: SUCCESS is committed; the status files are not rewritten.
    case afterCommitBeforeStatus = "after-commit-before-status"
    /// Notify: an event is committed and due; the delivery worker is about to POST it (nothing sent).
    case beforeWebhookPost = "before-webhook-post"

    /// The environment variable naming the armed point.
    public static let environmentVariable = "VIDEO_INGEST_CRASH_AT"

    private static let armed: CrashPoint? = {
        guard let name = ProcessInfo.processInfo.environment[environmentVariable], !name.isEmpty else { return nil }
        guard let point = CrashPoint(rawValue: name) else {
            Log.shared.warn("\(environmentVariable)=\(name) names no crash point; ignored",
                            extra: [("known", .array(allCases.map { .string($0.rawValue) }))])
            return nil
        }
        Log.shared.warn("crash point armed: \(name)")
        return point
    }()

    /// Dies at once (SIGKILL) when `point` is the armed one.
    public static func reached(_ point: CrashPoint) {
        guard let armed, armed == point else { return }
        Log.shared.warn("crash point reached: \(point.rawValue); dying now")
        kill(getpid(), SIGKILL)
        _exit(137)
    }

    /// Whether `point` is the armed one (to skip work that only decides whether it is reached).
    public static func isArmed(_ point: CrashPoint) -> Bool { armed == point }

    /// Arms nothing but reports a misspelled variable at start-up rather than at the first point.
    public static func announce() { _ = armed }
}
