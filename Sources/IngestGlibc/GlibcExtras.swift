import Glibc

/// glibc functions that Swift's Glibc module does not import (they are declared only under
/// `_GNU_SOURCE`), looked up once with `dlsym`. A target of its own so that every layer that needs
/// one (IngestCore's spool files and child processes, IngestDownload's scratch file) reaches it
/// through the one lookup, without IngestDownload depending on IngestCore.
package enum GlibcExtras {
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    private typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
    private typealias SyncFileRange = @convention(c) (Int32, Int64, Int64, UInt32) -> Int32
    private typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
    private typealias PidfdSendSignal = @convention(c) (Int32, Int32, UnsafeMutableRawPointer?, UInt32) -> Int32
    private typealias CloseRange = @convention(c) (UInt32, UInt32, Int32) -> Int32

    private nonisolated(unsafe) static let process = dlopen(nil, RTLD_NOW)
    private static let pipe2Function: Pipe2? = lookup("pipe2")
    private static let addCloseFromFunction: AddCloseFrom? = lookup("posix_spawn_file_actions_addclosefrom_np")

    private static let prctlFunction: Prctl? = lookup("prctl")
    private static let syncFileRangeFunction: SyncFileRange? = lookup("sync_file_range")
    private static let pidfdOpenFunction: PidfdOpen? = lookup("pidfd_open")
    private static let pidfdSendSignalFunction: PidfdSendSignal? = lookup("pidfd_send_signal")
    private static let closeRangeFunction: CloseRange? = lookup("close_range")

    private static func lookup<F>(_ name: String) -> F? {
        guard let symbol = dlsym(process, name) else { return nil }
        return unsafeBitCast(symbol, to: F.self)
    }

    /// `pipe2(fds, O_CLOEXEC)`: both ends close-on-exec from the start, so a child spawned by another
    /// thread at the same moment cannot inherit them. 0 or -1 with errno.
    package static func closeOnExecPipe(_ fds: UnsafeMutablePointer<Int32>) -> Int32 {
        if let pipe2Function { return pipe2Function(fds, O_CLOEXEC) }
        guard pipe(fds) == 0 else { return -1 }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return 0
    }

    /// `sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE)`: starts writeback of the whole file without
    /// waiting for it (a hint; only fsync makes data durable). Nothing when this libc lacks it.
    package static func startWriteback(_ fd: Int32) {
        startWriteback(fd, offset: 0, length: 0)
    }

    /// `sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE)`: starts writeback of the dirty pages
    /// of that range without waiting for it (a hint; only fsync makes data durable). Length 0 means to
    /// the end of the file. Nothing when this libc lacks it; errors (a pipe, a device) are ignored.
    package static func startWriteback(_ fd: Int32, offset: Int64, length: Int64) {
        let syncFileRangeWrite: UInt32 = 2
        _ = syncFileRangeFunction?(fd, offset, length, syncFileRangeWrite)
    }

    /// `sync_file_range(fd, offset, length, WAIT_BEFORE | WRITE | WAIT_AFTER)`: returns once the pages of
    /// that range that were dirty or under writeback have reached the device (not its cache: no flush,
    /// no metadata; fsync still does that). A writer calls it on a range well behind the one it writes,
    /// so that its dirty pages stay bounded and a final fsync finds little left. Errors are ignored.
    package static func waitForWriteback(_ fd: Int32, offset: Int64, length: Int64) {
        let waitBefore: UInt32 = 1, write: UInt32 = 2, waitAfter: UInt32 = 4
        _ = syncFileRangeFunction?(fd, offset, length, waitBefore | write | waitAfter)
    }

    /// `posix_spawn_file_actions_addclosefrom_np(actions, from)` (glibc 2.34+): the child closes every
    /// descriptor from `from` up. False when this glibc lacks it.
    package static func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Bool {
        guard let addCloseFromFunction else { return false }
        return addCloseFromFunction(actions, from) == 0
    }

    /// `prctl(PR_SET_NAME, name)`: the calling thread's name (the process's `comm` for the main thread,
    /// shown by `ps`), at most 15 bytes. False when it could not be set.
    package static func setThreadName(_ name: String) -> Bool {
        guard let prctlFunction else { return false }
        return name.withCString { prctlFunction(15 /* PR_SET_NAME */, UInt(bitPattern: $0), 0, 0, 0) == 0 }
    }

    /// `prctl(PR_SET_PDEATHSIG, signal)`: the calling process gets `signal` when the thread that spawned it
    /// ends (the daemon dies). False when it could not be set.
    package static func setParentDeathSignal(_ signal: Int32) -> Bool {
        guard let prctlFunction else { return false }
        return prctlFunction(1 /* PR_SET_PDEATHSIG */, UInt(signal), 0, 0, 0) == 0
    }

    /// `pidfd_open(pid, 0)` (glibc 2.36, Linux 5.3): a descriptor that names the process `pid` and no
    /// other, even once the number is reused; it polls readable when the process has exited. -1 with
    /// errno (ENOSYS when this libc lacks it).
    package static func openProcessDescriptor(_ pid: pid_t) -> Int32 {
        guard let pidfdOpenFunction else { errno = ENOSYS; return -1 }
        return pidfdOpenFunction(pid, 0)
    }

    /// `pidfd_send_signal(pidfd, signal, NULL, 0)`: signals the process the descriptor names (never a
    /// later process with the same number). 0 or -1 with errno.
    package static func signalProcessDescriptor(_ pidfd: Int32, _ signal: Int32) -> Int32 {
        guard let pidfdSendSignalFunction else { errno = ENOSYS; return -1 }
        return pidfdSendSignalFunction(pidfd, signal, nil, 0)
    }

    /// Closes every descriptor from `first` up (`close_range(first, ~0U, 0)`, glibc 2.34; a loop up
    /// to the descriptor limit without it).
    package static func closeDescriptors(from first: Int32) {
        if let closeRangeFunction, closeRangeFunction(UInt32(first), UInt32.max, 0) == 0 { return }
        // No close_range: close every number up to the soft descriptor limit.
        var limit = rlimit()
        let top = getrlimit(__rlimit_resource_t(UInt32(RLIMIT_NOFILE.rawValue)), &limit) == 0 ? min(Int64(limit.rlim_cur), 65_536) : 1_024
        for fd in first..<Int32(top) { close(fd) }
    }
}
