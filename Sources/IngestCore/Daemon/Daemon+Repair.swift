import Foundation
import IngestStore

extension Daemon {
    /// How often the running daemon repeats the repair pass (on the heartbeat thread).
    static let repairIntervalSeconds: Double = 3
    /// How often the daemon looks for status files of its spool that are older than their
    /// document (CONTRACT 10: current within 2 s of a change, whichever daemon made it).
    static let statusSweepSeconds: Double = 1

    /// At start-up: requeues the running jobs whose lease owner is an earlier daemon of this spool
    /// (`ownerPrefix`; it is dead, since this daemon holds the spool lock). Jobs running under any
    /// other owner may be alive in another daemon of the fleet: they are left to the lease rescuer,
    /// which takes over only those not renewed for `store.leaseSeconds`.
    func requeueEarlierLeases(store: any VideoStore) throws {
        var requeued = 0
        var others = 0
        for (lease, beats) in try store.runningLeases() {
            guard lease.owner.hasPrefix(ownerPrefix) else { others += 1; continue }
            if try store.requeueStaleLease(lease, beats: beats) { requeued += 1 }
        }
        if requeued > 0 { log.info("requeued \(requeued) jobs left running by an earlier daemon of this spool") }
        let released = try store.releaseDeliveryClaims(ownerPrefix: ownerPrefix, now: Date())
        if released > 0 { log.info("released \(released) webhook deliveries claimed by an earlier daemon of this spool") }
        if others > 0 {
            log.info("\(others) jobs run under other daemons' leases: taken over only if not renewed for store.leaseSeconds")
        }
    }

    /// Heals what a crash or a worker fault can leave behind; at start-up and then every few seconds:
    ///
    /// - status files older than their document are rewritten (`keepStatusFilesCurrent`, which the
    ///   heartbeat also runs every `statusSweepSeconds`);
    /// - scratch folders of settled (or unknown) videos are removed;
    /// - with a `rescuer`, while this daemon holds the fleet's `FleetLock.leaseRescuer` (one rescuer
    ///   at a time in a fleet), running jobs whose lease stopped being renewed for `store.leaseSeconds`
    ///   of monotonic time (their worker died or froze) become available again;
    /// - media folders of deleted videos are removed (a worker that published just after a delete
    ///   removed them, before its fenced commit was refused).
    ///
    /// Every step is best effort: a failure is logged and the next pass tries again.
    func repair(store: any VideoStore, statusWriter: StatusWriter, rescuer: LeaseRescuer?) {
        if let rescuer {
            do {
                guard try store.holdFleetLock(.leaseRescuer) else { throw FleetLockHeldElsewhere() }
                let requeued = try rescuer.pass(leaseSeconds: configSource.current.store.leaseSeconds)
                for lease in requeued { log.warn("requeued \(lease): its lease was not renewed for store.leaseSeconds") }
            } catch is FleetLockHeldElsewhere {
                rescuer.forget()  // another daemon rescues; what this one watched goes stale meanwhile
            } catch {
                log.warn("repair: cannot rescue stale leases: \(error)")
            }
        }
        keepStatusFilesCurrent(store: store, statusWriter: statusWriter)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: layout.scratch)) ?? [] {
            let job: JobRecord?
            do { job = try store.job(videoId: name) } catch { continue }  // the store cannot say: keep it
            if job.flatMap({ JobState(rawValue: $0.state) })?.isTerminal ?? true {
                try? FileManager.default.removeItem(atPath: layout.scratch + "/" + name)
            }
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: layout.media)) ?? [] {
            guard let video = try? store.video(id: name), video.deleted else { continue }
            try? FileManager.default.removeItem(atPath: layout.media + "/" + name)
        }
    }

    /// Rewrites the status files of this spool's videos (`StatusWriter.origin`) that are older
    /// than their document: a change committed by another daemon of the fleet, or a crash, a full
    /// disk or an I/O error between a commit and its file; except those in `skipping`. Best effort:
    /// the next sweep retries.
    func keepStatusFilesCurrent(store: any VideoStore, statusWriter: StatusWriter, skipping: Set<String> = []) {
        do {
            let stale = try store.staleStatusVideoIds(origin: statusWriter.origin).filter { !skipping.contains($0) }
            if !stale.isEmpty {
                try statusWriter.write(videoIds: stale)
                log.info("rewrote \(stale.count) status files")
            }
        } catch {
            log.warn("repair: cannot rewrite stale status files yet: \(error)")
        }
    }
}

/// Another daemon of the fleet holds the sweep's `FleetLock`: this one skips the sweep.
struct FleetLockHeldElsewhere: Error {}
