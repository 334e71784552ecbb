import Foundation
import MediaModel

/// How a media child that ran out of memory is recognised (docs/ARCHITECTURE.md, "Out of memory").
///
/// Under `RLIMIT_AS` an allocation fails: FFmpeg answers `AVERROR(ENOMEM)`, or `AVERROR(EAGAIN)`
/// when a codec cannot map a thread's stack (`avcodec_open2` = -11; libx264's open says
/// `AVERROR_EXTERNAL`); the Swift runtime prints
/// "Could not allocate memory" and traps; the kernel's OOM killer sends SIGKILL. The source passed
/// the check first (which refuses what the probe can see: over 8192×8192 pixels, over 16 streams),
/// so running out of memory on it is the worker's fault, never the seller's: a worker fault,
/// retried with backoff, `stuck` after `pipeline.maxAttempts`.
package enum MemoryExhaustion {
    /// `AVERROR_EXTERNAL` (`FFERRTAG('E', 'X', 'T', ' ')`, a macro Swift cannot import; IngestCore links no FFmpeg).
    static let averrorExternal: Int32 = -542_398_533

    /// The code the child answers with (in place of a `MediaError.Code`).
    package static let answerCode = "outOfMemory"

    /// Whether a `MediaError` is an allocation that failed.
    package static func isExhaustion(_ error: MediaError) -> Bool {
        if let averror = error.averror, averror == -ENOMEM || averror == -EAGAIN { return true }
        // The encoder opens with the optimizer's own settings on a size the optimizer chose, so its
        // open failing is the worker's resources, not the seller's file: libx264 answers
        // AVERROR_EXTERNAL, without a log line, when a thread's stack cannot be mapped under RLIMIT_AS.
        if error.code == .encodeFailed, error.call == "avcodec_open2", error.averror == averrorExternal { return true }
        return mentionsExhaustion(error.message)
    }

    /// Whether a line of a child's stderr (or a message) says that memory ran out.
    package static func mentionsExhaustion(_ text: String) -> Bool {
        ["Cannot allocate memory", "Could not allocate memory", "out of memory", "std::bad_alloc"].contains { text.contains($0) }
    }
}
