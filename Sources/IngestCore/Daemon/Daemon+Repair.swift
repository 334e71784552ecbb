import Foundation
import IngestStore

extension Daemon {
    /// How often the running daemon repeats the repair pass (on the heartbeat thread).
    static let repairIntervalSeconds: Double = 3

    /// Heals what a crash or a worker fault can leave behind; at start-up and then every few seconds:
    ///
    /// - status files older than their document (a crash, a full disk or an I/O error between a
    ///   commit and its status file) are rewritten from the store;
    /// - scratch folders of settled (or unknown) videos are removed;
    /// - with `requeueExpired`, running jobs whose lease ran out (their worker could not release
    ///   them, for example while another process held the store locked) become available again.
    ///
    /// Every step is best effort: a failure is logged and the next pass tries again.
    func repair(store: VideoStore, statusWriter: StatusWriter, requeueExpired: Bool) {
        if requeueExpired {
            do {
                let n = try store.requeueExpiredLeases()
                if n > 0 { log.warn("requeued \(n) jobs whose lease ran out") }
            } catch {
                log.warn("repair: cannot requeue expired leases: \(error)")
            }
        }
        do {
            let stale = try store.staleStatusVideoIds()
            if !stale.isEmpty {
                try statusWriter.write(videoIds: stale)
                log.info("rewrote \(stale.count) status files")
            }
        } catch {
            log.warn("repair: cannot rewrite stale status files yet: \(error)")
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: layout.scratch)) ?? [] {
            let job: JobRecord?
            do { job = try store.job(videoId: name) } catch { continue }  // the store cannot say: keep it
            if job == nil || job?.state == "done" || job?.state == "failed" {
                try? FileManager.default.removeItem(atPath: layout.scratch + "/" + name)
            }
        }
    }
}
