import Foundation
import IngestObjectStore
import IngestStore

/// Drains the outbox of objects to delete (`object_deletions`, filled by delete and reject in
/// their own transactions): one DELETE per object, on a thread of its own so that a slow or
/// unreachable store never delays the workers or the heartbeat. A failed deletion is tried again
/// with growing delays (1 s, 2 s, … up to 5 minutes) until it succeeds; the entry survives restarts.
///
/// Each entry names its endpoint and bucket; the region, addressing style and credentials are
/// those of the `publish.s3` in force.
final class ObjectDeletionLoop: @unchecked Sendable {
    let store: any VideoStore
    let configSource: ConfigSource
    let signal: WorkSignal
    let log = Log.shared
    private var warnedUnconfigured = false

    init(store: any VideoStore, configSource: ConfigSource, signal: WorkSignal) {
        self.store = store
        self.configSource = configSource
        self.signal = signal
    }

    /// Drains the outbox every second while this daemon holds the fleet's `FleetLock.objectDeletions`
    /// (one drainer at a time in a fleet: two would send every DELETE twice).
    func run() {
        while !signal.isStopped {
            if (try? store.holdFleetLock(.objectDeletions)) == true { drainOnce() }
            signal.wait(timeout: 1)
        }
    }

    /// Tries every entry that is due once.
    func drainOnce() {
        let due: [ObjectDeletion]
        do { due = try store.dueObjectDeletions() } catch {
            log.warn("object deletions: cannot read the outbox yet: \(error)")
            return
        }
        guard !due.isEmpty else { return }
        guard let s3 = configSource.current.publish.s3 else {
            if !warnedUnconfigured { log.warn("\(due.count) objects wait for deletion, but publish.s3 is not set") }
            warnedUnconfigured = true
            return
        }
        warnedUnconfigured = false
        let credentials: S3Credentials
        do { credentials = try S3Credentials.resolve(file: s3.credentialsFile, environment: ProcessInfo.processInfo.environment) } catch {
            due.forEach { postpone($0, reason: "\(error)") }
            return
        }
        var clients: [String: S3Client] = [:]
        for entry in due where !signal.isStopped {
            let place = entry.object.endpoint + " " + entry.object.bucket
            do throws(S3Error) {
                let client: S3Client
                if let known = clients[place] { client = known } else {
                    let settings = S3Settings(endpoint: entry.object.endpoint, bucket: entry.object.bucket, region: s3.region, pathStyle: s3.pathStyle)
                    client = try S3Client(settings: settings, credentials: credentials, shouldCancel: { [signal] in signal.isStopped })
                    clients[place] = client
                }
                try client.delete(key: entry.object.key)
                try? store.finishObjectDeletion(id: entry.id)
                log.info("object deleted from the bucket", videoId: entry.videoId,
                         extra: [("bucket", .string(entry.object.bucket)), ("key", .string(entry.object.key))])
            } catch {
                postpone(entry, reason: "\(error)")
            }
        }
    }

    private func postpone(_ entry: ObjectDeletion, reason: String) {
        let delay = min(300, pow(2, Double(min(entry.attempts, 16))))
        log.warn("object not deleted yet; retrying in \(Int(delay)) s: \(reason)", videoId: entry.videoId,
                 extra: [("bucket", .string(entry.object.bucket)), ("key", .string(entry.object.key))])
        try? store.postponeObjectDeletion(id: entry.id, error: reason, retryAt: Date().addingTimeInterval(delay))
    }
}
