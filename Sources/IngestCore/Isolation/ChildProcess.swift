import Foundation
import IngestGlibc

/// One run of a child process: `posix_spawn` with stdin on /dev/null, stdout and stderr on pipes and
/// every other descriptor closed; its output is read until it exits, with a wall-clock deadline and a
/// stop check, after either of which it is killed with SIGKILL.
///
/// The pipes are made close-on-exec (`pipe2(O_CLOEXEC)` via `GlibcExtras`), and `posix_spawn_file_actions_addclosefrom_np(3)`
/// closes whatever else the daemon has open (SQLite, the spool lock, curl sockets, inotify) in the child.
/// Signal dispositions and the signal mask are reset to the defaults in the child.
struct ChildProcess {
    /// How a run ended.
    enum Termination: Equatable, Sendable {
        /// The child exited with this status.
        case exited(Int32)
        /// The child died on this signal; `killedAtDeadline` when the parent sent it for the deadline.
        case signaled(Int32, killedAtDeadline: Bool)
        /// The parent stopped it because `shouldStop` turned true (SIGKILL).
        case stopped
    }

    /// What a run produced.
    struct Outcome: Sendable {
        var termination: Termination
        /// Everything it wrote on stdout, up to `stdoutLimit` bytes.
        var stdout: Data
        /// True when stdout went over `stdoutLimit` (the child was killed).
        var stdoutOverflowed: Bool
    }

    /// A child that could not be started.
    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    let executable: String
    let arguments: [String]
    var environment: [String] = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
    var deadlineSeconds: Double
    var stdoutLimit = 8 << 20
    /// Longest stderr line kept; longer lines are cut.
    var stderrLineLimit = 4096

    /// Starts the child and waits for it. `onStderrLine` gets each line of its stderr (without the newline).
    func run(shouldStop: () -> Bool, onStderrLine: (String) -> Void) throws(SpawnError) -> Outcome {
        let child = try start(withStdin: false)
        return collect(child, shouldStop: shouldStop, onStderrLine: onStderrLine)
    }

    /// Starts the child without waiting for it. With `withStdin` its stdin is a pipe whose write end
    /// the returned `RunningChild` holds (else /dev/null).
    func start(withStdin: Bool) throws(SpawnError) -> RunningChild {
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        func closeAll() { (inPipe + outPipe + errPipe).filter { $0 >= 0 }.forEach { close($0) } }
        guard !withStdin || GlibcExtras.closeOnExecPipe(&inPipe) == 0,
              GlibcExtras.closeOnExecPipe(&outPipe) == 0, GlibcExtras.closeOnExecPipe(&errPipe) == 0 else {
            let reason = Self.errnoText()
            closeAll()
            throw SpawnError(description: "pipe2: \(reason)")
        }
        let pid: pid_t
        do {
            pid = try spawn(stdin: withStdin ? inPipe[0] : nil, stdout: outPipe[1], stderr: errPipe[1])
        } catch {
            closeAll()
            throw error
        }
        if withStdin { close(inPipe[0]) }
        close(outPipe[1]); close(errPipe[1])
        return RunningChild(pid: pid, stdin: withStdin ? inPipe[1] : -1, stdout: outPipe[0], stderr: errPipe[0])
    }

    /// Starts a long-lived helper (the media fork server) with `stdin` as its standard input (dup'ed;
    /// the caller keeps and closes its own), stdout on /dev/null and stderr this process's own.
    func start(stdinDescriptor stdin: Int32) throws(SpawnError) -> RunningChild {
        RunningChild(pid: try spawn(stdin: stdin, stdout: nil, stderr: 2), stdin: -1, stdout: -1, stderr: -1)
    }

    /// `posix_spawn` with `stdin` (nil: /dev/null), `stdout` (nil: /dev/null) and `stderr` as 0, 1, 2.
    private func spawn(stdin: Int32?, stdout: Int32?, stderr: Int32) throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin {
            posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if let stdout {
            posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        if !GlibcExtras.addCloseFrom(&actions, 3) {
            // Older glibc: close what is open now (descriptors the daemon opens without O_CLOEXEC).
            for fd in Self.openDescriptors() where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = environment.map { strdup($0) }
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv + [nil], envp + [nil])
        guard result == 0 else { throw SpawnError(description: "posix_spawn \(executable): \(String(cString: strerror(result)))") }
        return pid
    }

    /// Reads the output of a started child until it exits, under this run's deadline (counted from
    /// now) and `shouldStop`; either kills it with SIGKILL.
    func collect(_ child: RunningChild, shouldStop: () -> Bool, onStderrLine: (String) -> Void) -> Outcome {
        let stdout = child.stdoutFd, stderr = child.stderrFd
        let deadline = SystemClock.monotonic() + deadlineSeconds  // monotonic: a clock step kills no child
        var output = Data(), overflowed = false
        var errLine = Data()
        var open: [Int32] = [stdout, stderr]
        var killedAtDeadline = false, stopped = false, killed = false
        var buffer = [UInt8](repeating: 0, count: 65_536)

        func kill9() {
            if !killed { child.kill9(); killed = true }
        }
        func flushLine() {
            if !errLine.isEmpty { onStderrLine(String(decoding: errLine, as: UTF8.self)) }
            errLine.removeAll(keepingCapacity: true)
        }

        while !open.isEmpty {
            if !killed {
                if shouldStop() { stopped = true; kill9() } else if SystemClock.monotonic() >= deadline { killedAtDeadline = true; kill9() }
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 100)
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                let count = read(entry.fd, &buffer, buffer.count)
                if count <= 0 {
                    if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                    open.removeAll { $0 == entry.fd }
                    continue
                }
                let chunk = buffer[0..<count]
                if entry.fd == stdout {
                    if output.count + count > stdoutLimit { overflowed = true; kill9() } else { output.append(contentsOf: chunk) }
                } else {
                    for byte in chunk {
                        if byte == UInt8(ascii: "\n") { flushLine() } else if errLine.count < stderrLineLimit { errLine.append(byte) }
                    }
                }
            }
        }
        flushLine()
        // Both pipes are closed: the child has exited (or closed them and goes on; the deadline still holds).
        var status: Int32 = 0
        while true {
            // The status follows the pipes' end by microseconds (a forked child's through its server):
            // wait for it, not for a fixed sleep, so a short run is not stretched by the polling.
            if let exited = killed ? child.wait(block: true) : child.wait(timeoutSeconds: 0.1) { status = exited; break }
            if child.reaped { break }
            if shouldStop() { stopped = true; kill9() } else if SystemClock.monotonic() >= deadline { killedAtDeadline = true; kill9() }
        }
        let termination: Termination
        if stopped {
            termination = .stopped
        } else if Self.signaled(status) {
            termination = .signaled(status & 0x7f, killedAtDeadline: killedAtDeadline)
        } else {
            termination = .exited((status >> 8) & 0xff)
        }
        return Outcome(termination: termination, stdout: output, stdoutOverflowed: overflowed)
    }

    /// The descriptors open in this process now (from /proc/self/fd).
    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }

    private static func signaled(_ status: Int32) -> Bool { (status & 0x7f) != 0 && (status & 0x7f) != 0x7f }
    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
