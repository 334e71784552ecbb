import Foundation

/// One started child process and the parent's ends of its pipes (stdin when asked for, stdout,
/// stderr). The one owner of the pid and the three descriptors: `deinit` closes them and, when the
/// child has not been waited for, kills it with SIGKILL and reaps it, so no child outlives its owner
/// and none stays a zombie.
final class RunningChild: @unchecked Sendable {
    let pid: pid_t
    private var stdinFd: Int32
    let stdoutFd: Int32
    let stderrFd: Int32
    /// Set once `waitpid` has returned the child's status (the pid may be reused from then on).
    private(set) var reaped = false
    /// When the child was started (monotonic seconds).
    let startedAt: Double

    init(pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32) {
        self.pid = pid
        stdinFd = stdin
        stdoutFd = stdout
        stderrFd = stderr
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
        var status: Int32 = 0
        let waited = waitpid(pid, &status, WNOHANG)
        if waited == pid || (waited < 0 && errno == ECHILD) { reaped = true; return false }
        return true
    }

    /// `waitpid` without blocking (`block` false) or until it exits; nil while it runs.
    func wait(block: Bool) -> Int32? {
        guard !reaped else { return nil }
        var status: Int32 = 0
        while true {
            let waited = waitpid(pid, &status, block ? 0 : WNOHANG)
            if waited == pid { reaped = true; return status }
            if waited == 0 { return nil }
            if errno == EINTR { continue }
            reaped = true  // ECHILD: someone else reaped it
            return nil
        }
    }

    /// SIGKILL, unless it has been reaped already (then the pid may belong to another process).
    func kill9() {
        if !reaped { kill(pid, SIGKILL) }
    }

    deinit {
        closeStdin()
        close(stdoutFd)
        close(stderrFd)
        if !reaped {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }
}
