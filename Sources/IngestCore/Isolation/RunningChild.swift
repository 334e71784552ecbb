import Foundation
import IngestGlibc

/// One started child process and the parent's ends of its pipes (stdin when asked for, stdout,
/// stderr). The one owner of the pid and the descriptors: `deinit` closes them and, when the child
/// has not been waited for, kills it with SIGKILL and reaps it, so no child outlives its owner and
/// none stays a zombie.
///
/// A child is either the daemon's own (spawned: `waitpid` reaps it) or forked by the media fork
/// server (`MediaForkServer`): then the server is its parent and reaps it, and the daemon holds a
/// pidfd (to kill exactly that process) and the read end of a status pipe on which the server
/// writes the `waitpid` status when the child has exited. A status pipe that ends without a status
/// means the server died (and with it the child, by its death signal): `serverLost`.
final class RunningChild: @unchecked Sendable {
    /// Who reaps the child.
    private enum Reaper {
        /// The daemon: `waitpid(pid)`.
        case parent
        /// The fork server: the status arrives on `statusFd`; `pidfd` signals it.
        case forkServer(pidfd: Int32, statusFd: Int32)
    }

    let pid: pid_t
    private var stdinFd: Int32
    let stdoutFd: Int32
    let stderrFd: Int32
    private let reaper: Reaper
    /// Set once the child's exit status is known (the pid may be reused from then on).
    private(set) var reaped = false
    /// A forked child whose server died before it told the status (the child was killed with it).
    private(set) var serverLost = false
    /// When the child was started (monotonic seconds).
    let startedAt: Double

    /// A child this process spawned.
    init(pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32) {
        self.pid = pid
        stdinFd = stdin
        stdoutFd = stdout
        stderrFd = stderr
        reaper = .parent
        startedAt = SystemClock.monotonic()
    }

    /// A child the fork server forked: `pidfd` names it, `statusFd` brings its status.
    init(forkedPid pid: pid_t, pidfd: Int32, statusFd: Int32, stdin: Int32, stdout: Int32, stderr: Int32) {
        self.pid = pid
        stdinFd = stdin
        stdoutFd = stdout
        stderrFd = stderr
        reaper = .forkServer(pidfd: pidfd, statusFd: statusFd)
        startedAt = SystemClock.monotonic()
    }

    /// Writes all of `data` to the child's stdin, then closes it (the child reads to the end).
    /// False when the child has no stdin pipe or is gone (EPIPE: SIGPIPE is ignored by the daemon
    /// and by XCTest's process, and a broken pipe is only reported here).
    func sendAndClose(_ data: Data) -> Bool {
        guard stdinFd >= 0 else { return false }
        defer { closeStdin() }
        return data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Bool in
            var offset = 0
            while offset < bytes.count {
                let n = write(stdinFd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }

    /// Closes the parent's end of stdin (a child waiting for a request reads the end and exits).
    func closeStdin() {
        if stdinFd >= 0 { close(stdinFd); stdinFd = -1 }
    }

    /// True while the child has not exited. A child that has exited is reaped here.
    var isAlive: Bool {
        guard !reaped else { return false }
        _ = wait(block: false)
        return !reaped
    }

    /// The child's `waitpid` status, without blocking (`block` false) or once it has exited; nil
    /// while it runs, and nil once it was reaped by another call (or by someone else: ECHILD).
    func wait(block: Bool) -> Int32? {
        guard !reaped else { return nil }
        switch reaper {
        case .parent:
            var status: Int32 = 0
            while true {
                let waited = waitpid(pid, &status, block ? 0 : WNOHANG)
                if waited == pid { reaped = true; return status }
                if waited == 0 { return nil }
                if errno == EINTR { continue }
                reaped = true  // ECHILD: someone else reaped it
                return nil
            }
        case .forkServer(_, let statusFd):
            var entry = pollfd(fd: statusFd, events: Int16(POLLIN), revents: 0)
            while true {
                let ready = poll(&entry, 1, block ? -1 : 0)
                if ready == 0 { return nil }
                if ready < 0 && errno == EINTR { continue }
                break
            }
            var status: Int32 = 0
            let count = withUnsafeMutableBytes(of: &status) { read(statusFd, $0.baseAddress, 4) }
            reaped = true
            if count == 4 { return status }
            serverLost = true  // the server died: its death signal killed the child
            return SIGKILL
        }
    }

    /// The child's `waitpid` status once it has exited, waiting at most `timeoutSeconds`; nil while
    /// it still runs then (or when it was reaped by another call). A forked child's status pipe is
    /// polled; a spawned child's `waitpid` is tried after 0.1, 0.2, 0.5, 1, 2, 5, 10, 20 ms… sleeps.
    func wait(timeoutSeconds: Double) -> Int32? {
        guard !reaped else { return nil }
        switch reaper {
        case .forkServer(_, let statusFd):
            var entry = pollfd(fd: statusFd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(max(0, timeoutSeconds * 1000)))
            return ready > 0 ? wait(block: false) : nil
        case .parent:
            let end = SystemClock.monotonic() + timeoutSeconds
            var pause: Double = 0.000_1
            while true {
                if let status = wait(block: false) { return status }
                if reaped { return nil }
                let left = end - SystemClock.monotonic()
                guard left > 0 else { return nil }
                usleep(useconds_t(min(pause, left) * 1_000_000))
                pause = min(pause * 2.2, 0.02)
            }
        }
    }

    /// SIGKILL, unless it has been reaped already (then the pid may belong to another process).
    func kill9() {
        guard !reaped else { return }
        switch reaper {
        case .parent:
            kill(pid, SIGKILL)
        case .forkServer(let pidfd, _):
            if GlibcExtras.signalProcessDescriptor(pidfd, SIGKILL) != 0 && errno == ENOSYS { kill(pid, SIGKILL) }
        }
    }

    deinit {
        closeStdin()
        close(stdoutFd)
        close(stderrFd)
        if !reaped {
            kill9()
            _ = wait(block: true)
        }
        if case .forkServer(let pidfd, let statusFd) = reaper {
            if pidfd >= 0 { close(pidfd) }
            close(statusFd)
        }
    }
}
