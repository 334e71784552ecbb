import IngestGlibc

/// Keeps the writeback of a file that is written front to back going while it is written, so that
/// its final `fsync(2)` has little left to do (issue 15: the fsync of a 500 MB download took 0.75 s
/// of 1.62 s when every page was still dirty at the end; `curl -o` never writes to the device at
/// all). Every `step` bytes appended it starts writeback of those bytes (`sync_file_range` WRITE);
/// then it waits for the writeback of everything more than `lag` bytes behind the end, so that at
/// most about `lag + step` bytes of the file are dirty or in flight: a disk slower than the network
/// slows the transfer down (the TCP window closes) instead of filling the page cache, and the final
/// fsync waits for at most that much.
///
/// A hint only: durability still comes from the fsync (which also flushes the device's cache and
/// the inode); on a libc without `sync_file_range`, or a descriptor that is no regular file, the
/// calls do nothing.
struct WritebackWindow {
    /// Bytes appended between two `sync_file_range` WRITE calls.
    static let step: Int64 = 8 << 20
    /// How far behind the end the writeback must have reached before appending goes on.
    static let lag: Int64 = 32 << 20

    /// The file's length as written so far.
    private(set) var written: Int64 = 0
    /// Everything before this offset has had its writeback started.
    private var started: Int64 = 0
    /// Everything before this offset has reached the device.
    private var settled: Int64 = 0

    /// Back to an empty file (a new attempt truncated it).
    mutating func reset() { self = WritebackWindow() }

    /// Records `count` bytes appended to `fd`, starting and waiting for writeback as described above.
    mutating func appended(_ count: Int, to fd: Int32) {
        written += Int64(count)
        guard written - started >= Self.step else { return }
        GlibcExtras.startWriteback(fd, offset: started, length: written - started)
        started = written
        let target = started - Self.lag
        guard target > settled else { return }
        GlibcExtras.waitForWriteback(fd, offset: settled, length: target - settled)
        settled = target
    }
}
