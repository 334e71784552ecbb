import Foundation
import IngestStore

/// The intake thread: inotify on the inbox and every seller folder for low latency, and a full
/// rescan every `intake.rescanSeconds` as the safety net (a missed event costs seconds, never a
/// request). It also notices config file edits and prunes old idempotency keys.
final class IntakeLoop: @unchecked Sendable {
    let intake: DropFolderIntake
    let configSource: ConfigSource
    let store: any VideoStore
    let signal: WorkSignal
    private var inotifyFD: Int32 = -1
    private var watched = Set<String>()
    private var lastPrune = Date.distantPast

    init(intake: DropFolderIntake, configSource: ConfigSource, store: any VideoStore, signal: WorkSignal) {
        self.intake = intake
        self.configSource = configSource
        self.store = store
        self.signal = signal
    }

    /// Runs until the work signal stops.
    func run() {
        inotifyFD = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        defer { if inotifyFD >= 0 { close(inotifyFD) } }
        watch(intake.layout.inbox)
        while !signal.isStopped {
            configSource.reload(force: false)
            let config = configSource.current
            let (answered, folders) = intake.scan(config: config)
            if answered > 0 { signal.notify() }
            folders.forEach(watch)
            pruneKeysIfDue(config)
            waitForEvents(timeout: config.intake.rescanSeconds)
        }
    }

    private func watch(_ folder: String) {
        guard inotifyFD >= 0, !watched.contains(folder) else { return }
        let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB)
        if inotify_add_watch(inotifyFD, folder, mask) >= 0 { watched.insert(folder) }
    }

    /// Sleeps until an inotify event, or the timeout; a stop wakes it within 200 ms.
    private func waitForEvents(timeout: Double) {
        let deadline = SystemClock.monotonic() + timeout
        while !signal.isStopped && SystemClock.monotonic() < deadline {
            guard inotifyFD >= 0 else { Thread.sleep(forTimeInterval: 0.2); continue }
            var pfd = pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0)
            let slice = Int32(max(1, min(200, (deadline - SystemClock.monotonic()) * 1000)))
            if poll(&pfd, 1, slice) > 0 {
                var buffer = [UInt8](repeating: 0, count: 64 * 1024)
                while read(inotifyFD, &buffer, buffer.count) > 0 {}
                // Let a burst of renames land before scanning.
                Thread.sleep(forTimeInterval: 0.01)
                return
            }
        }
    }

    private func pruneKeysIfDue(_ config: IngestConfig) {
        guard Date().timeIntervalSince(lastPrune) > 3600 else { return }
        lastPrune = Date()
        // One daemon of a fleet prunes (the others would repeat its DELETE for nothing).
        guard (try? store.holdFleetLock(.keyPruning)) == true else { return }
        if let n = try? store.pruneKeys(olderThan: Date().addingTimeInterval(-config.intake.keyRetentionHours * 3600)), n > 0 {
            Log.shared.info("pruned \(n) idempotency keys", stage: "intake")
        }
    }
}
