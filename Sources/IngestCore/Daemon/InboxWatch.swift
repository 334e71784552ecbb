import Foundation

/// The intake's inotify instance: one watch on `inbox/` and one on each seller folder, and what a
/// wake-up's events ask the next pass to scan.
///
/// Why it reads the events instead of only waking on them: a seller writes each drop under a dot
/// name and renames it in, so every drop also brings events for its temporary file (IN_CREATE,
/// IN_CLOSE_WRITE); scanning every folder of the inbox for each of them listed and `lstat`ed
/// thousands of files for nothing while a burst was being written. Now an event wakes a scan only
/// when it names a drop (`*.json`, not a dot name) in a seller folder, and then only that folder
/// is scanned; anything else under `inbox/` itself (a new seller folder, a file dropped there),
/// a queue overflow (events were lost) or a watch that went away asks for a full scan, as does
/// the caller's timer (`intake.rescanSeconds`, the safety net for anything an event cannot show:
/// a drop that was not readable yet, a seller over its rate limit).
final class InboxWatch {
    /// What the events read so far ask for.
    struct Wanted {
        /// A pass over the whole inbox.
        var fullScan = false
        /// Seller folders (paths) that have new drops.
        var folders = Set<String>()
        var isEmpty: Bool { !fullScan && folders.isEmpty }
    }

    private let inbox: String
    private let fd: Int32
    /// Watch descriptor → watched folder (the inbox or a seller folder).
    private var folderOfWatch: [Int32: String] = [:]
    private var watched = Set<String>()
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    /// Opens the inotify instance and watches `inbox`. Without inotify (no descriptor left,
    /// `max_user_instances` reached) every wait is a plain sleep and every pass a full scan.
    init(inbox: String) {
        self.inbox = inbox
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        watch(inbox)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Watches `folder` unless it is watched already. Called before the folder is scanned, so that
    /// a drop that lands during the scan is seen by the scan or by an event, never by neither.
    func watch(_ folder: String) {
        guard fd >= 0, !watched.contains(folder) else { return }
        let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB)
        let wd = inotify_add_watch(fd, folder, mask)
        guard wd >= 0 else { return }
        watched.insert(folder)
        folderOfWatch[wd] = folder
    }

    /// Waits until events ask for a scan, `deadline` (monotonic seconds) passes, or `isStopped` turns
    /// true (checked every 200 ms). After the first event it waits `settle` seconds more and reads
    /// again, so that a burst of renames is answered by one pass. A timeout returns an empty `Wanted`.
    func wait(until deadline: Double, settle: Double, isStopped: () -> Bool) -> Wanted {
        var wanted = Wanted()
        while !isStopped() && SystemClock.monotonic() < deadline {
            guard fd >= 0 else { Thread.sleep(forTimeInterval: 0.2); continue }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let slice = Int32(max(1, min(200, (deadline - SystemClock.monotonic()) * 1000)))
            guard poll(&pfd, 1, slice) > 0 else { continue }
            readEvents(into: &wanted)
            guard !wanted.isEmpty else { continue }
            Thread.sleep(forTimeInterval: settle)
            readEvents(into: &wanted)
            return wanted
        }
        return wanted
    }

    /// Reads every queued event and adds what it asks for to `wanted`.
    private func readEvents(into wanted: inout Wanted) {
        let headerSize = MemoryLayout<inotify_event>.size
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return }
            buffer.withUnsafeBytes { raw in
                var offset = 0
                while offset + headerSize <= n {
                    let wd = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                    let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    let name = UnsafeRawBufferPointer(rebasing: raw[(offset + headerSize)..<min(n, offset + headerSize + length)])
                    classify(wd: wd, mask: mask, name: name.prefix { $0 != 0 }, into: &wanted)
                    offset += headerSize + length
                }
            }
        }
    }

    /// What one event asks for.
    private func classify(wd: Int32, mask: UInt32, name: UnsafeRawBufferPointer.SubSequence, into wanted: inout Wanted) {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 {
            wanted.fullScan = true  // events were lost: only a full scan finds what they named
            return
        }
        guard let folder = folderOfWatch[wd] else { return }
        if mask & UInt32(IN_IGNORED) != 0 {
            // The folder is gone (or was replaced): forget the watch; a full scan watches its successor.
            folderOfWatch[wd] = nil
            watched.remove(folder)
            wanted.fullScan = true
            return
        }
        if folder == inbox {
            wanted.fullScan = true  // a seller folder or a misplaced drop: the full scan handles both
        } else if UndecodableNames.Entry(bytes: Array(name)).isDropName {
            // Raw bytes: a name that is not UTF-8 is refused by the scan, so its event must wake one.
            wanted.folders.insert(folder)
        }
    }
}
