import Foundation
import IngestStore

/// `video-ingest daemon`: takes drops, runs `workers` jobs at a time, and stops cleanly on
/// SIGTERM/SIGINT; SIGHUP (or an edited config file) reloads the config.
///
/// Threads: the main thread waits for signals (`sigwait`), one intake thread, one thread per
/// worker, one lease heartbeat, and the webhook notifier's (`WebhookNotifier`: a supervisor and
/// four lanes per endpoint). Downloads are blocking libcurl calls on the worker threads and media
/// work runs in a child process a worker waits on; neither uses Swift's cooperative pool.
public final class Daemon: @unchecked Sendable {
    let configSource: ConfigSource
    let layout: SpoolLayout
    let signal = WorkSignal()
    let log = Log.shared
    /// What every lease owner of this spool's daemons starts with (`<host>:<absolute spool>#`):
    /// a running job under it belongs to an earlier daemon of this spool, dead since this one
    /// holds the spool lock. Other daemons of a fleet have other prefixes.
    let ownerPrefix: String
    /// This daemon's lease owner: `ownerPrefix`, pid and a random number.
    let ownerId: String
    let clock: IngestClock = SystemClock()
    private let activeLeases = LockedValue<Set<LeaseToken>>([])
    /// The videos whose jobs this daemon's workers run (they write those status files themselves).
    private let activeVideos = LockedValue<Set<String>>([])
    private let workersDone = DispatchGroup()
    private var workerThreads = 0

    /// Loads the config; `spool` overrides its `spoolDirectory`.
    public init(configPath: String?, spool: String?) throws {
        let path = configPath ?? ConfigLoader.defaultPath
        let initial = try ConfigLoader.load(option: configPath)
        let exists = FileManager.default.fileExists(atPath: path)
        configSource = ConfigSource(path: exists ? path : nil, initial: initial)
        layout = SpoolLayout(root: spool ?? initial.spoolDirectory, mediaDirectory: initial.publish.mediaDirectory)
        ownerPrefix = Self.machineName() + ":" + URL(fileURLWithPath: layout.root).standardizedFileURL.path + "#"
        ownerId = ownerPrefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// The kernel's host name (gethostname(2)). Not `ProcessInfo.hostName`, which resolves the
    /// machine's addresses through the name resolver and may send queries off the machine.
    private static func machineName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(cString: buffer)
    }

    /// Runs until SIGTERM or SIGINT. Returns the exit status.
    public func run() throws -> Int32 {
        var signals = sigset_t()
        sigemptyset(&signals)
        for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, s) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        Foundation.signal(SIGPIPE, SIG_IGN)
        CrashPoint.announce()
        WriteFaults.install()

        // Every check and optimization runs in the media executable: without it no job could finish.
        if let problem = MediaExecutable.problem() { throw DaemonError(problem) }
        do { try layout.create() } catch { throw DaemonError("cannot create the spool \(layout.root): \(error)") }
        let lock = try SpoolLock(path: layout.lockPath)
        defer { withExtendedLifetime(lock) {} }
        let store = try configSource.current.openStore(layout: layout)
        let statusWriter = StatusWriter(layout: layout, store: store, origin: try SpoolOrigin.of(layout, config: configSource.current))
        let notifier = WebhookNotifier(store: store, configSource: configSource, owner: ownerId)
        try store.setOutbox({ [configSource] in configSource.current.outboxRouting }, onEventsCommitted: { notifier.wake() })
        let rescuer = LeaseRescuer(store: store, clock: clock)
        try recover(store: store, statusWriter: statusWriter)

        let intake = IntakeLoop(intake: DropFolderIntake(layout: layout, store: store, statusWriter: statusWriter),
                                configSource: configSource, store: store, signal: signal)
        let wakeup = try store.makeJobWakeup()
        let intakeDone = DispatchGroup()
        startThread(name: "intake", group: intakeDone) { intake.run() }
        let runner = JobRunner(layout: layout, store: store, statusWriter: statusWriter, configSource: configSource, clock: clock)
        runner.mediaChildren.prepare()  // the media fork server links while the daemon starts
        ensureWorkers(store: store, runner: runner, wakeup: wakeup != nil)
        let heartbeatDone = DispatchGroup()
        if let wakeup { startThread(name: "wakeup", group: heartbeatDone) { [self] in relayWakeups(wakeup) } }
        startThread(name: "heartbeat", group: heartbeatDone) { [self] in
            heartbeat(store: store, statusWriter: statusWriter, rescuer: rescuer)
        }
        notifier.start()
        let deletions = ObjectDeletionLoop(store: store, configSource: configSource, signal: signal)
        startThread(name: "object-deletions", group: heartbeatDone) { deletions.run() }
        let api = try startAPI()
        var started: [(String, JSONValue)] = [("spool", .string(layout.root)), ("workers", .integer(Int64(configSource.current.workers))),
                                              ("pid", .integer(Int64(getpid()))), ("store", .string(store.describesLocation))]
        if let api { started.append(("http", .string(api.address))) }
        log.info("daemon started", extra: started)

        while true {
            var received: Int32 = 0
            sigwait(&signals, &received)
            if received == SIGHUP {
                log.info("SIGHUP: reloading the config")
                configSource.reload(force: true)
                ensureWorkers(store: store, runner: runner, wakeup: wakeup != nil)
                continue
            }
            log.info("stopping on signal \(received): no new jobs; running stages stop at a safe point")
            break
        }
        api?.handler.draining = true
        signal.stop()
        api?.drain(timeout: 10)
        let deadline = DispatchTime.now() + 25
        if workersDone.wait(timeout: deadline) == .timedOut { log.warn("workers did not stop in time; their jobs run again at the next start") }
        runner.mediaChildren.stopAll()  // the media fork server (a running child is killed by its worker)
        _ = intakeDone.wait(timeout: deadline)
        _ = heartbeatDone.wait(timeout: .now() + 2)  // the heartbeat, the object-deletion loop and the wakeup relay
        notifier.stop(timeout: 1)
        log.info("daemon stopped")
        return 0
    }

    /// The HTTP API when `http.listen` is set (the address with the real port is logged).
    private func startAPI() throws -> APIServer? {
        guard let listen = configSource.current.http.listen else { return nil }
        do {
            let api = try APIServer(listen: listen, configSource: configSource, layout: layout, onCreated: { [signal] in signal.notify() })
            log.info("http listening", extra: [("address", .string(api.address))])
            return api
        } catch {
            throw DaemonError("cannot start the HTTP API: \(error)")
        }
    }

    /// After a crash: jobs left running by an earlier daemon of this spool go back to the queue
    /// (`requeueEarlierLeases`), status files the crash left stale are rewritten, and scratch
    /// folders of settled videos are swept.
    private func recover(store: any VideoStore, statusWriter: StatusWriter) throws {
        Uploads.sweepPartial(layout)
        try requeueEarlierLeases(store: store)
        repair(store: store, statusWriter: statusWriter, rescuer: nil)
    }

    /// How long an idle worker waits before it polls the store again: `idlePollSeconds` alone, or
    /// `idlePollWithWakeupSeconds` when the store's wakeup (`VideoStore.makeJobWakeup`) also wakes
    /// it for work stored by another daemon. Polling stays the fallback either way (a job released
    /// to a later `runAt`, a lost notification), so the interval is bounded.
    static let idlePollSeconds: Double = 0.5
    /// See `idlePollSeconds`.
    static let idlePollWithWakeupSeconds: Double = 2

    /// Starts worker threads up to the configured count (a lowered count idles the extra ones).
    private func ensureWorkers(store: any VideoStore, runner: JobRunner, wakeup: Bool) {
        let idle = wakeup ? Self.idlePollWithWakeupSeconds : Self.idlePollSeconds
        while workerThreads < configSource.current.workers {
            let index = workerThreads
            workerThreads += 1
            startThread(name: "worker-\(index)", group: workersDone) { [self] in
                workerLoop(index: index, store: store, runner: runner, idleSeconds: idle)
            }
        }
    }

    /// Passes the store's notifications on to the idle workers (the in-process work signal), until the daemon stops.
    private func relayWakeups(_ wakeup: any JobWakeup) {
        while !signal.isStopped {
            if wakeup.wait(timeout: 1) { signal.notify() }
        }
    }

    private func workerLoop(index: Int, store: any VideoStore, runner: JobRunner, idleSeconds: Double) {
        let signal = self.signal
        while !signal.isStopped {
            let config = configSource.current
            guard index < config.workers else { signal.wait(timeout: 1); continue }
            let job: JobRecord?
            do { job = try store.claimJob(owner: ownerId, leaseSeconds: config.store.leaseSeconds) } catch {
                log.error("cannot claim a job: \(error)")
                signal.wait(timeout: 1)
                continue
            }
            guard let job, let lease = job.lease else { signal.wait(timeout: idleSeconds); continue }
            activeLeases.withValue { _ = $0.insert(lease) }
            activeVideos.withValue { _ = $0.insert(job.videoId) }
            runner.run(job, isStopping: { signal.isStopped })
            activeVideos.withValue { _ = $0.remove(job.videoId) }
            activeLeases.withValue { _ = $0.remove(lease) }
            signal.notify()
        }
    }

    /// Renews the leases of running jobs, so a long transcode keeps its job, rewrites this spool's
    /// stale status files every `statusSweepSeconds` (a change made by any daemon of the fleet
    /// shows here within about a second), and runs the repair pass (with the lease rescuer) every
    /// `repairIntervalSeconds`, after the renewals. Every interval is measured on the monotonic clock.
    private func heartbeat(store: any VideoStore, statusWriter: StatusWriter, rescuer: LeaseRescuer) {
        var lastRenewal = -Double.infinity
        var lastRepair = clock.monotonicSeconds()
        var lastSweep = clock.monotonicSeconds()
        while !signal.isStopped {
            let lease = configSource.current.store.leaseSeconds
            if clock.monotonicSeconds() - lastRenewal >= max(0.5, lease / 3) {
                lastRenewal = clock.monotonicSeconds()
                for token in activeLeases.withValue({ $0 }) {
                    try? store.renewLease(token, leaseSeconds: lease, now: clock.wallNow())
                }
            }
            if clock.monotonicSeconds() - lastSweep >= Self.statusSweepSeconds {
                // The videos this daemon runs are left to their workers (which write after every
                // commit) and to the repair pass, so the sweep never holds status.lock while a
                // worker writes the file of the outcome it just committed.
                keepStatusFilesCurrent(store: store, statusWriter: statusWriter, skipping: activeVideos.withValue { $0 })
                lastSweep = clock.monotonicSeconds()
            }
            if clock.monotonicSeconds() - lastRepair >= Self.repairIntervalSeconds {
                repair(store: store, statusWriter: statusWriter, rescuer: rescuer)
                lastRepair = clock.monotonicSeconds()
            }
            signal.wait(timeout: 0.5)
        }
    }

    private func startThread(name: String, group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let thread = Thread {
            body()
            group.leave()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }
}
