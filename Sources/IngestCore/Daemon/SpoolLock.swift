import Foundation

/// One daemon per spool: an exclusive `flock` on `state/daemon.lock`, held for the process's
/// life (the kernel releases it when the process dies, however it dies).
final class SpoolLock {
    private let fd: Int32

    /// Takes the lock, or throws a message naming the spool when another process holds it.
    init(path: String) throws(DaemonError) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw DaemonError("cannot open the lock file \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(fd)
            throw DaemonError("another video-ingest daemon (pid \(holder)) is already running on this spool (\(path))")
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// Why the daemon cannot start or go on.
public struct DaemonError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
