import Foundation
import IngestDownload
import IngestStore

/// The delivery worker (CONTRACT section 9): its own threads, never a pipeline worker's.
///
/// One supervisor thread follows the config: it starts `lanesPerEndpoint` lanes for each endpoint
/// in `notify.endpoints` and gives up the pending deliveries of endpoints no longer there. Each
/// lane is one thread with its own `HTTPPoster` (and connection) and works through the store's
/// queue for its endpoint and its share of the videos only, so a slow or dead endpoint holds up
/// no other endpoint, and one video's slow answer holds up only its lane. The queue is the store
/// (`VideoStore.claimDueDeliveries`, claimed by this daemon's `owner`, so another daemon of the
/// fleet never posts the same delivery at once): it hands out only the first pending event of each video, and a
/// video always falls to the same lane, so a video's events reach the endpoint in order while
/// other videos' events go on. Nothing is
/// queued in memory: a backlog stays on disk, and a crash at any point leaves the delivery
/// pending, to be sent again (at least once).
final class WebhookNotifier: @unchecked Sendable {
    private let store: any VideoStore
    private let configSource: ConfigSource
    /// The claim owner of this daemon's deliveries (the daemon's lease owner).
    private let owner: String
    private let signal = WorkSignal()
    private let log = Log.shared
    private let lanesLock = NSLock()
    private var lanes: Set<String> = []
    private let threads = DispatchGroup()

    /// Senders per endpoint, each with its share of the videos.
    static let lanesPerEndpoint = 4

    /// How often the supervisor gives up deliveries to endpoints not in the config, besides at every change.
    static let sweepSeconds = 30.0

    /// How long an idle lane or the supervisor sleeps before looking again (commits in this
    /// process wake them at once; those of other processes, such as `approve`, are seen then).
    static let pollSeconds = 0.5
    /// Deliveries one lane claims at a time; the claim lasts long enough to post all of them
    /// (`notify.timeoutSeconds` + 5 s each), so two daemons never post one delivery at once.
    static let claimBatch = 10

    init(store: any VideoStore, configSource: ConfigSource, owner: String) {
        self.store = store
        self.configSource = configSource
        self.owner = owner
    }

    /// Wakes every lane (after a commit that recorded events).
    func wake() { signal.notify() }

    /// Starts the supervisor thread.
    func start() {
        spawn(name: "notify") { [self] in supervise() }
    }

    /// Stops the lanes after their current attempt; waits at most `timeout` seconds.
    func stop(timeout: Double) {
        signal.stop()
        _ = threads.wait(timeout: .now() + timeout)
    }

    private func supervise() {
        var lastUrls: [String]?
        var lastSweep = Date.distantPast
        while !signal.isStopped {
            let urls = configSource.current.notify.endpoints.map(\.url)
            // Also now and then: another process (a CLI command run with another config) may have
            // recorded events for an endpoint this daemon does not have.
            if urls != lastUrls || Date().timeIntervalSince(lastSweep) >= Self.sweepSeconds {
                lastSweep = Date()
                do {
                    let n = try store.giveUpDeliveries(toEndpointsOtherThan: urls, reason: "the endpoint was removed from notify.endpoints")
                    if n > 0 { log.warn("gave up \(n) webhook deliveries to endpoints removed from the config") }
                    lastUrls = urls
                } catch {
                    log.warn("cannot give up the deliveries of removed endpoints yet: \(error)")
                }
            }
            for url in urls {
                for index in 0..<Self.lanesPerEndpoint where lanesLock.withLock({ lanes.insert("\(index) \(url)").inserted }) {
                    spawn(name: "notify-lane") { [self] in
                        lane(url: url, index: index)
                        lanesLock.withLock { _ = lanes.remove("\(index) \(url)") }
                    }
                }
            }
            signal.wait(timeout: Self.pollSeconds * 2)
        }
    }

    /// Lane `index` of one endpoint: runs while the endpoint is configured.
    private func lane(url: String, index: Int) {
        let poster = HTTPPoster()
        while !signal.isStopped {
            guard configSource.current.notify.endpoints.contains(where: { $0.url == url }) else { return }
            let due: [DeliveryRecord]
            let claimSeconds = Double(Self.claimBatch) * (configSource.current.notify.timeoutSeconds + 5)
            do {
                due = try store.claimDueDeliveries(endpointUrl: url, partition: (index, Self.lanesPerEndpoint), owner: owner, now: Date(),
                                                   claimSeconds: claimSeconds, limit: Self.claimBatch)
            } catch {
                log.warn("cannot read the webhook queue: \(error)", extra: [("endpoint", .string(url))])
                signal.wait(timeout: 1)
                continue
            }
            if due.isEmpty {
                let next = (try? store.nextDeliveryDue(endpointUrl: url, partition: (index, Self.lanesPerEndpoint)))
                    .flatMap { $0 }.map { $0.timeIntervalSinceNow } ?? Self.pollSeconds
                signal.wait(timeout: max(0.01, min(Self.pollSeconds, next)))
                continue
            }
            for delivery in due {
                if signal.isStopped { return }
                deliver(delivery, poster: poster)
            }
        }
    }

    /// One attempt of `delivery`, and its record.
    private func deliver(_ delivery: DeliveryRecord, poster: HTTPPoster) {
        let config = configSource.current
        guard let endpoint = config.notify.endpoints.first(where: { $0.url == delivery.endpointUrl }) else { return }
        CrashPoint.reached(.beforeWebhookPost)
        let attempt = WebhookAttempt(delivery: delivery, endpoint: endpoint, notify: config.notify)
        let outcome = attempt.send(with: poster)
        let result = attempt.decide(outcome, now: Date())
        do {
            try store.recordDeliveryAttempt(seq: delivery.seq, result: result, httpStatus: outcome.status,
                                            error: outcome.isSuccess ? nil : attempt.reason(outcome))
        } catch {
            // The answer is not recorded: the delivery stays pending and is sent again (at least once).
            log.warn("cannot record a webhook attempt; it will be sent again: \(error)", videoId: delivery.videoId)
            signal.wait(timeout: 1)
        }
        let context: [(String, JSONValue)] = [("event", .string(delivery.eventId)), ("type", .string(delivery.eventType)),
                                              ("endpoint", .string(delivery.endpointUrl))]
        switch result {
        case .delivered:
            log.log(.debug, "webhook delivered", videoId: delivery.videoId, extra: context)
        case .retry(let at):
            log.info("webhook not delivered; retrying in \(Int(at.timeIntervalSinceNow.rounded())) s: \(attempt.reason(outcome))",
                     videoId: delivery.videoId, extra: context)
        case .givenUp:
            log.warn("webhook given up: \(attempt.reason(outcome))", videoId: delivery.videoId, extra: context)
        }
    }

    private func spawn(name: String, _ body: @escaping @Sendable () -> Void) {
        threads.enter()
        let thread = Thread { [threads] in
            body()
            threads.leave()
        }
        thread.name = name
        thread.start()
    }
}
