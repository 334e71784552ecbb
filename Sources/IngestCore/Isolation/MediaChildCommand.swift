import Foundation

/// The names of the media child's command line and protocol, shared by the daemon (`MediaChild`,
/// `MediaForkServer`) and the child (`MediaChildServer` and `MediaForkServerLoop` in IngestMediaChild,
/// run by the media executable).
///
/// The daemon starts one `video-ingest-media media-child server PARENT_PID LABEL`, the fork server:
/// linked once, holding no job's data, it forks one child per request (`MediaForkServer`). A forked
/// child, like a `video-ingest-media media-child warm PARENT_PID LABEL` spawned when no server
/// answers, arms its death signal and waits for one request on stdin (`check` or `optimize`, a
/// newline, the request JSON, then the end of stdin), says `{"accepted":true}` on stderr, and then
/// runs it as `video-ingest-media media-child check|optimize REQUEST_JSON` does. An empty stdin exits 0.
///
/// In order: the request, the death signal and the parent check, the test hook
/// (`VIDEO_INGEST_TEST_MEDIA_CHILD`), the resource limits (`setrlimit`), then the work; the answer
/// is one JSON object on stdout, progress is lines `{"progress":0.42}` on stderr. Exit 0 with an
/// answer; 2 for bad arguments (a message on stderr).
public enum MediaChildCommand {
    /// The subcommand's name.
    public static let name = "media-child"
    /// The process name (`comm`, shown by `ps`) of a child that has a job's request; a child waiting
    /// for one keeps the name of the process it came from.
    package static let workingName = "media-job"
    /// The operation of a child spawned to wait for its request on stdin (when no fork server answers).
    package static let warmOperation = "warm"
    /// The operation of the media fork server (`MediaForkServer`): `server PARENT_PID LABEL`.
    package static let serverOperation = "server"
    /// The process name of the fork server.
    package static let serverName = "media-forks"
    /// The stderr line of a child that has read its request.
    package static let acceptedLine = "{\"accepted\":true}"
    /// The environment variable of the test hook: `crash` (abort), `hang` (sleep forever),
    /// `crash-once:<marker file>` (abort only while the marker does not exist, creating it first),
    /// `hang-once:<marker file>` (hang only while the marker does not exist, creating it first), or
    /// `warm-kill-once:<marker file>` (a child that has read its request kills itself with SIGKILL
    /// before it accepts it, once).
    public static let testHookVariable = "VIDEO_INGEST_TEST_MEDIA_CHILD"
    package static let usage = "usage: video-ingest-media media-child check|optimize REQUEST_JSON (internal: run by the daemon)"
}
