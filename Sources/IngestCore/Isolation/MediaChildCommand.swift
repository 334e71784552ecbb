import Foundation

/// The names of the media child's command line and protocol, shared by the daemon (`MediaChild`,
/// `WarmMediaChildren`) and the child (`MediaChildServer` in IngestMediaChild, run by the media
/// executable). The child is `video-ingest-media media-child check|optimize REQUEST_JSON`, which the
/// daemon runs for every sniff, probe and optimization, or, as the daemon
/// starts it, `video-ingest-media media-child warm PARENT_PID LABEL`: started ahead of need (`WarmMediaChildren`),
/// it links, arms its death signal and waits for one request on stdin (`check` or `optimize`, a
/// newline, the request JSON, then the end of stdin), says `{"accepted":true}` on stderr, and then runs
/// it as the other form does. An empty stdin (a warm child that was not needed) exits 0.
///
/// In order: the request, the death signal and the parent check, the test hook
/// (`VIDEO_INGEST_TEST_MEDIA_CHILD`), the resource limits (`setrlimit`), then the work; the answer
/// is one JSON object on stdout, progress is lines `{"progress":0.42}` on stderr. Exit 0 with an
/// answer; 2 for bad arguments (a message on stderr).
public enum MediaChildCommand {
    /// The subcommand's name.
    public static let name = "media-child"
    /// The process name (`comm`, shown by `ps`) of a child that has a job's request; a warm child
    /// waiting for one keeps the executable's name.
    package static let workingName = "media-job"
    /// The operation of a child started ahead of need.
    package static let warmOperation = "warm"
    /// The stderr line of a warm child that has read its request.
    package static let acceptedLine = "{\"accepted\":true}"
    /// The environment variable of the test hook: `crash` (abort), `hang` (sleep forever),
    /// `crash-once:<marker file>` (abort only while the marker does not exist, creating it first), or
    /// `warm-kill-once:<marker file>` (a warm child that has read its request kills itself with SIGKILL
    /// before it accepts it, once).
    public static let testHookVariable = "VIDEO_INGEST_TEST_MEDIA_CHILD"
    package static let usage = "usage: video-ingest-media media-child check|optimize REQUEST_JSON (internal: run by the daemon)"
}
