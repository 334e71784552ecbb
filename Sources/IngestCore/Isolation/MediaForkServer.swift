import Foundation
import IngestGlibc

/// The daemon's side of the media fork server (docs/ARCHITECTURE.md, "Isolation"): where every media
/// child of a job comes from.
///
/// Starting `video-ingest-media` costs ~50-110 ms of CPU (the dynamic linking of ~190 shared
/// libraries, mostly FFmpeg's, and their constructors), more than a failing job's whole work. So
/// the daemon starts one `video-ingest-media media-child server PARENT_PID LABEL` (`MediaForkServerLoop`)
/// that links once, holds no job's data and only forks: for each child the daemon sends it, over a
/// Unix socket (`SOCK_SEQPACKET`, its stdin), the child's four pipes (stdin, stdout, stderr, status),
/// and gets back the child's pid and pidfd. The forked child applies the limits and arms its death
/// signal exactly as a spawned one does, runs one request and exits; the server reaps it and writes
/// its `waitpid` status on the status pipe (`RunningChild`). One child per run, nothing shared
/// between two runs' children (each is a fresh copy of a server that never touched a file).
///
/// The server dies with the daemon (its death signal, armed from a `DedicatedThread` that lives as
/// long as the daemon wants a server), and its children die with it. A server found dead (killed,
/// crashed) is started again at the next `take`; when none answers, a child is spawned the old way
/// (`media-child warm`), so a job never fails for the server's sake.
final class MediaForkServer: @unchecked Sendable {
    /// The executable (`video-ingest-media`, `MediaExecutable.path`, in the daemon).
    let executable: String
    /// Shown in the server's (and so its children's) command line: `ps`, and the tests' way to find a spool's children.
    let label: String
    private let lock = NSLock()
    private var server: RunningChild?
    private var socket: Int32 = -1
    private var stopped = false
    private let spawner = DedicatedThread(name: "media-server")
    private let log = Log.shared

    init(executable: String, label: String) {
        self.executable = executable
        self.label = label
    }

    /// The arguments of the server.
    var serverArguments: [String] { [MediaChildCommand.name, MediaChildCommand.serverOperation, String(getpid()), label] }
    /// The arguments of a child spawned directly (no server answers).
    var spawnedArguments: [String] { [MediaChildCommand.name, MediaChildCommand.warmOperation, String(getpid()), label] }

    /// The pid of the running server, if one runs (for tests and the log).
    var serverPid: pid_t? { lock.withLock { server?.isAlive == true ? server?.pid : nil } }

    /// Starts the server when none runs, so that the next `take` does not wait for its start-up
    /// (called when a job's download starts).
    func prepare() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        do { try ensureServer() } catch { log.warn("cannot start the media fork server: \(error.description)") }
    }

    /// A new child waiting for its request on stdin: forked by the server (started again when it
    /// died), else spawned.
    func take() throws(ChildProcess.SpawnError) -> RunningChild {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { throw ChildProcess.SpawnError(description: "the daemon is stopping") }
        var problem = ""
        for _ in 1...2 {
            do {
                try ensureServer()
                return try forkChild()
            } catch {
                problem = error.description
                dropServer()
            }
        }
        log.warn("the media fork server does not answer (\(problem)); spawning the media worker")
        return try spawnChild()
    }

    /// Kills the server (its idle state holds nothing; a running child is killed by its worker first,
    /// else with the server) and starts none any more.
    func stopAll() {
        lock.lock()
        stopped = true
        dropServer()
        lock.unlock()
        spawner.stop()
    }

    deinit {
        dropServer()
        spawner.stop()
    }

    /// Called with `lock` held.
    private func ensureServer() throws(ChildProcess.SpawnError) {
        if socket >= 0, let server, server.isAlive { return }
        dropServer()
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw ChildProcess.SpawnError(description: "socketpair: \(String(cString: strerror(errno)))")
        }
        defer { close(pair[1]) }
        // LD_BIND_NOW: the server resolves every symbol at start-up, once, instead of each child
        // resolving the ones it calls (lazy binding) in memory it then throws away.
        let process = ChildProcess(executable: executable, arguments: serverArguments,
                                   environment: Self.childEnvironment + ["LD_BIND_NOW=1"], deadlineSeconds: 0)
        let started = spawner.run { () -> Result<RunningChild, ChildProcess.SpawnError> in
            do throws(ChildProcess.SpawnError) { return .success(try process.start(stdinDescriptor: pair[1])) } catch { return .failure(error) }
        }
        switch started {
        case .success(let child):
            server = child
            socket = pair[0]
        case .failure(let error):
            close(pair[0])
            throw error
        }
    }

    /// Asks the server for one child. Called with `lock` held.
    private func forkChild() throws(ChildProcess.SpawnError) -> RunningChild {
        var pipes = [Int32](repeating: -1, count: 8)  // stdin, stdout, stderr, status: read end, write end each
        for index in 0..<4 {
            let made = pipes.withUnsafeMutableBufferPointer { GlibcExtras.closeOnExecPipe($0.baseAddress! + 2 * index) }
            if made != 0 {
                let reason = String(cString: strerror(errno))
                pipes.filter { $0 >= 0 }.forEach { close($0) }
                throw ChildProcess.SpawnError(description: "pipe2: \(reason)")
            }
        }
        let (stdinRead, stdinWrite, stdoutRead, stdoutWrite) = (pipes[0], pipes[1], pipes[2], pipes[3])
        let (stderrRead, stderrWrite, statusRead, statusWrite) = (pipes[4], pipes[5], pipes[6], pipes[7])
        let sent = DescriptorPassing.send(socket, bytes: [MediaForkServerMessage.fork],
                                          descriptors: [stdinRead, stdoutWrite, stderrWrite, statusWrite])
        let sendError = errno
        // The server has its own copies now (or none: it is gone); the child's ends are not ours to keep.
        [stdinRead, stdoutWrite, stderrWrite, statusWrite].forEach { close($0) }
        var child: RunningChild? = nil
        defer { if child == nil { [stdinWrite, stdoutRead, stderrRead, statusRead].forEach { close($0) } } }
        guard sent else { throw ChildProcess.SpawnError(description: "the fork server is gone (\(String(cString: strerror(sendError))))") }
        guard let reply = DescriptorPassing.receive(socket, maxBytes: 16), let pid = MediaForkServerMessage.pid(in: reply.bytes) else {
            throw ChildProcess.SpawnError(description: "the fork server closed without an answer")
        }
        guard pid > 0, let pidfd = reply.descriptors.first else {
            reply.descriptors.forEach { close($0) }
            throw ChildProcess.SpawnError(description: "the fork server cannot fork: \(String(cString: strerror(-pid)))")
        }
        reply.descriptors.dropFirst().forEach { close($0) }
        child = RunningChild(forkedPid: pid, pidfd: pidfd, statusFd: statusRead, stdin: stdinWrite, stdout: stdoutRead, stderr: stderrRead)
        return child!
    }

    /// Closes the socket and kills and reaps the server (its children die by their death signal).
    /// Called with `lock` held.
    private func dropServer() {
        if socket >= 0 { close(socket); socket = -1 }
        server = nil  // RunningChild's deinit: SIGKILL and waitpid
    }

    /// A child spawned the way the fork server would have forked it.
    private func spawnChild() throws(ChildProcess.SpawnError) -> RunningChild {
        let process = ChildProcess(executable: executable, arguments: spawnedArguments,
                                   environment: Self.childEnvironment, deadlineSeconds: 0)
        return try spawner.run { () -> Result<RunningChild, ChildProcess.SpawnError> in
            do throws(ChildProcess.SpawnError) { return .success(try process.start(withStdin: true)) } catch { return .failure(error) }
        }.get()
    }

    /// The daemon's environment with `MALLOC_ARENA_MAX=2` (each malloc arena reserves address space
    /// that a child's RLIMIT_AS counts).
    static var childEnvironment: [String] {
        var environment = ProcessInfo.processInfo.environment
        environment["MALLOC_ARENA_MAX"] = "2"
        return environment.map { "\($0.key)=\($0.value)" }
    }
}

/// The fork server's messages: the daemon sends one byte, `fork`, with four descriptors; the server
/// answers with the child's pid as four bytes (native order; the negated errno when it could not
/// fork) and, on success, the child's pidfd.
package enum MediaForkServerMessage {
    /// The request byte.
    package static let fork: UInt8 = 0x66

    /// The answer for `pid` (or `-errno`).
    package static func answer(_ pid: Int32) -> [UInt8] { withUnsafeBytes(of: pid) { Array($0) } }

    /// The pid (or `-errno`) of an answer; nil when it is not one.
    package static func pid(in bytes: [UInt8]) -> Int32? {
        guard bytes.count == 4 else { return nil }
        return bytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
    }
}
