import Foundation
import IngestStore

/// The intake thread: inotify on the inbox and every seller folder for low latency (`InboxWatch`:
/// an event naming a drop scans that seller's folder only), and a full scan every
/// `intake.rescanSeconds` as the safety net (a missed event costs seconds, never a request). It
/// also notices config file edits and prunes old idempotency keys.
final class IntakeLoop: @unchecked Sendable {
    let intake: DropFolderIntake
    let configSource: ConfigSource
    let store: any VideoStore
    let signal: WorkSignal
    private var lastPrune = Date.distantPast

    /// How long a wake-up waits for more events before its pass, so a burst of renames is one pass.
    static let settleSeconds = 0.01

    init(intake: DropFolderIntake, configSource: ConfigSource, store: any VideoStore, signal: WorkSignal) {
        self.intake = intake
        self.configSource = configSource
        self.store = store
        self.signal = signal
    }

    /// Runs until the work signal stops.
    func run() {
        let watch = InboxWatch(inbox: intake.layout.inbox)
        var wanted = InboxWatch.Wanted(fullScan: true)
        var lastFullScan = SystemClock.monotonic()
        while !signal.isStopped {
            configSource.reload(force: false)
            let config = configSource.current
            let answered: Int
            if wanted.fullScan {
                answered = intake.scan(config: config, watch: watch.watch).answered
                lastFullScan = SystemClock.monotonic()  // the next one is due rescanSeconds after this one ended
            } else {
                answered = intake.scan(sellerFolders: wanted.folders.sorted(), config: config)
            }
            if answered > 0 { signal.notify() }
            pruneKeysIfDue(config)
            wanted = watch.wait(until: lastFullScan + config.intake.rescanSeconds, settle: Self.settleSeconds,
                                isStopped: { signal.isStopped })
            if wanted.isEmpty { wanted.fullScan = true }  // the timer: the safety net's full scan
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
