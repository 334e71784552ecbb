import Foundation

/// Media children started ahead of need (docs/ARCHITECTURE.md, "Isolation"), so that a check or
/// an optimization never waits for `posix_spawn` and the child's own start-up (~70-110 ms of
/// dynamic linking of ~190 shared libraries, mostly the FFmpeg stack's).
///
/// A warm child is `video-ingest-media media-child warm PARENT_PID SPOOL` blocked on reading its request
/// from stdin: it has linked and armed `PR_SET_PDEATHSIG`, and holds nothing of any job. It is taken
/// by exactly one child run and never returned: after its one request it exits, so isolation is that
/// of a fresh child per run (the same limits, applied by the child when the request arrives). At
/// most `capacity` (the configured workers) wait at once. One is started (on the worker thread, so
/// the death signal is tied to a thread that lives as long as the daemon) when a download starts (for
/// the check), when a check's child has taken its request (for the optimization), and when an
/// optimization's child has exited (for the next job), never during a transcode for the transcode's
/// own sake. A warm child that died before it was taken is reaped and skipped; `stopAll` kills the
/// idle ones when the daemon stops.
final class WarmMediaChildren: @unchecked Sendable {
    /// The executable (`video-ingest-media`, `MediaExecutable.path`, in the daemon).
    let executable: String
    /// Shown in the child's command line (`ps`, and the tests' way to find a spool's children).
    let label: String
    private let capacity: @Sendable () -> Int
    private let lock = NSLock()
    private var idle: [RunningChild] = []
    private var starting = 0
    private var stopped = false

    init(executable: String, label: String, capacity: @escaping @Sendable () -> Int) {
        self.executable = executable
        self.label = label
        self.capacity = capacity
    }

    /// The arguments of a warm child.
    var arguments: [String] { [MediaChildCommand.name, MediaChildCommand.warmOperation, String(getpid()), label] }

    /// A started child waiting for its request: a warm one when one is alive, else one started now.
    func take() throws(ChildProcess.SpawnError) -> RunningChild {
        while let child = lock.withLock({ idle.isEmpty ? nil : idle.removeFirst() }) {
            if child.isAlive { return child }
        }
        return try Self.start(executable: executable, arguments: arguments)
    }

    /// Starts one warm child when fewer than `capacity` wait (and the daemon is not stopping).
    func refill() {
        let wanted = lock.withLock { () -> Bool in
            idle.removeAll { !$0.isAlive }
            guard !stopped, idle.count + starting < capacity() else { return false }
            starting += 1
            return true
        }
        guard wanted else { return }
        let child = try? Self.start(executable: executable, arguments: arguments)
        let surplus: RunningChild? = lock.withLock {
            starting -= 1
            guard let child else { return nil }
            if stopped { return child }
            idle.append(child)
            return nil
        }
        _ = surplus  // released here: killed and reaped by its deinit
    }

    /// Kills and reaps every idle warm child; none is started any more.
    func stopAll() {
        let children = lock.withLock { () -> [RunningChild] in
            stopped = true
            defer { idle.removeAll() }
            return idle
        }
        for child in children { child.kill9() }
        _ = children.map { $0.wait(block: true) }
    }

    /// How many warm children wait now (for tests and the log).
    var idleCount: Int { lock.withLock { idle.count } }

    /// A media child started with its stdin on a pipe, `MALLOC_ARENA_MAX=2` added to the environment
    /// (each malloc arena reserves address space that RLIMIT_AS counts).
    static func start(executable: String, arguments: [String]) throws(ChildProcess.SpawnError) -> RunningChild {
        var environment = ProcessInfo.processInfo.environment
        environment["MALLOC_ARENA_MAX"] = "2"
        let process = ChildProcess(executable: executable, arguments: arguments,
                                   environment: environment.map { "\($0.key)=\($0.value)" }, deadlineSeconds: 0)
        return try process.start(withStdin: true)
    }
}
