import Foundation
import IngestGlibc
import IngestCore

/// The media fork server (`video-ingest-media media-child server PARENT_PID LABEL`, started by the
/// daemon's `MediaForkServer`): linked once, it forks one media child per request and reaps them.
///
/// It is single-threaded (a `fork` copies only the calling thread) and never opens a job's file:
/// all it holds is the socket to the daemon (its stdin) and, per live child, a pidfd and the write
/// end of that child's status pipe. One `poll` waits on the socket and every child's pidfd (readable
/// when the child has exited); the status goes to the daemon through the status pipe. At the end of
/// the socket (the daemon stopped or died) it kills its children and exits; its death signal kills
/// it with the daemon's spawning thread, and each child's death signal kills the child with it.
package enum MediaForkServerLoop {
    /// A live forked child.
    private struct Child {
        let pid: pid_t
        let pidfd: Int32
        let statusFd: Int32
    }

    /// Runs the server; returns its exit status.
    static func main(_ arguments: [String]) -> Int32 {
        guard arguments.count == 2, let parent = Int32(arguments[0]) else {
            FileHandle.standardError.write(Data("video-ingest-media media-child: expected server PARENT_PID LABEL\n".utf8))
            return 2
        }
        _ = GlibcExtras.setParentDeathSignal(SIGKILL)
        if getppid() != parent { return 1 }
        _ = GlibcExtras.setThreadName(MediaChildCommand.serverName)
        signal(SIGPIPE, SIG_IGN)  // a status pipe whose reader is gone must not kill the server
        MediaChildServer.warmUpForForking()
        let server = getpid()
        var children: [Child] = []
        serving: while true {
            var entries = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0)]
                + children.map { pollfd(fd: $0.pidfd, events: Int16(POLLIN), revents: 0) }
            if poll(&entries, nfds_t(entries.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in children.indices.reversed() where entries[index + 1].revents != 0 {
                if reap(children[index], block: false) { children.remove(at: index) }
            }
            guard entries[0].revents != 0 else { continue }
            guard let request = DescriptorPassing.receive(0, maxBytes: 16) else { break serving }  // the daemon is gone
            if let child = fork(request, server: server) { children.append(child) }
        }
        for child in children { kill(child.pid, SIGKILL) }
        for child in children { _ = reap(child, block: true) }
        return 0
    }

    /// Forks one child for `request` and answers the daemon; the child never returns from here.
    private static func fork(_ request: DescriptorPassing.Message, server: pid_t) -> Child? {
        let fds = request.descriptors
        guard request.bytes == [MediaForkServerMessage.fork], fds.count == 4 else {
            fds.forEach { close($0) }
            answer(-EINVAL, pidfd: nil)
            return nil
        }
        let pid = Glibc.fork()
        if pid == 0 {
            // `_exit`: the ~190 libraries' destructors and atexit handlers (inherited, never needed
            // by a child that wrote its answer with write(2)) would cost more than the child's work.
            let status = runChild(stdin: fds[0], stdout: fds[1], stderr: fds[2], server: server)
            fflush(nil)
            _exit(status)
        }
        close(fds[0]); close(fds[1]); close(fds[2])
        guard pid > 0 else {
            let error = errno
            close(fds[3])
            answer(-error, pidfd: nil)
            return nil
        }
        let pidfd = GlibcExtras.openProcessDescriptor(pid)
        guard pidfd >= 0 else {
            let error = errno
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            close(fds[3])
            answer(-error, pidfd: nil)
            return nil
        }
        answer(pid, pidfd: pidfd)
        return Child(pid: pid, pidfd: pidfd, statusFd: fds[3])
    }

    private static func answer(_ pid: Int32, pidfd: Int32?) {
        _ = DescriptorPassing.send(0, bytes: MediaForkServerMessage.answer(pid), descriptors: pidfd.map { [$0] } ?? [])
    }

    /// Collects `child`'s status and hands it to the daemon; false while it has not exited.
    private static func reap(_ child: Child, block: Bool) -> Bool {
        var status: Int32 = 0
        var waited: pid_t
        repeat { waited = waitpid(child.pid, &status, block ? 0 : WNOHANG) } while waited < 0 && errno == EINTR
        if waited == 0 { return false }
        if waited == child.pid {
            _ = withUnsafeBytes(of: &status) { write(child.statusFd, $0.baseAddress, 4) }
        }
        close(child.statusFd)
        close(child.pidfd)
        return true
    }

    /// In the forked child: its pipes become 0, 1 and 2, everything else of the server is closed,
    /// the death signal is armed (the server may have died in between: then the parent is another
    /// process), and the child waits for its request like a spawned one.
    private static func runChild(stdin: Int32, stdout: Int32, stderr: Int32, server: pid_t) -> Int32 {
        guard dup2(stdin, 0) == 0, dup2(stdout, 1) == 1, dup2(stderr, 2) == 2 else { return 1 }
        GlibcExtras.closeDescriptors(from: 3)
        signal(SIGPIPE, SIG_DFL)
        _ = GlibcExtras.setParentDeathSignal(SIGKILL)
        if getppid() != server { return 1 }
        return MediaChildServer.serveFromStdin()
    }
}
