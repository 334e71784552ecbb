/// Test-only hook for injected write faults in download files (installed by the daemon from
/// `VIDEO_INGEST_FAULT_WRITES`, see IngestCore's `WriteFaults`). Given the file's path it returns
/// an errno to fail the next `write(2)` with, or nil.
public enum ScratchWriteFault {
    /// Set once at start-up, before any download thread starts (thread start orders the write
    /// before every read); nil, the default, costs one load per write.
    nonisolated(unsafe) public static var hook: (@Sendable (String) -> Int32?)?

    static func fault(for path: String) -> Int32? { hook?(path) }
}
