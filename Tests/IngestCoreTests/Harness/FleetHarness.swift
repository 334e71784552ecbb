import Foundation
@testable import IngestCore
import IngestStore
import TestHTTPServer
import TestPostgresServer
import XCTest

/// A fleet on one machine (CONTRACT section 10): one real PostgreSQL database (`PostgresServer`
/// in a temporary folder), `count` real daemons with their own spools whose `store.url` names that
/// database, a media folder they all publish into (`publish.mediaDirectory`), and one
/// `TestHTTPServer` on 127.0.0.1 serving SampleMedia and SampleMedia/uniform. A missing PostgreSQL binary is an error
/// (the test fails), never a skip. Everything stops and is removed when the harness goes away.
final class FleetHarness: @unchecked Sendable {
    /// The PostgreSQL server (stop()/start() make an outage).
    let postgres: PostgresServer
    /// The database every daemon names.
    let storeURL: String
    /// Serves SampleMedia (`/files/<name>`, `/throttle/<bytesPerSecond>/<name>`, …).
    let http: TestHTTPServer
    /// The harness's temporary folder: `media/` and `samples/`.
    let root: String
    /// The folder every daemon publishes renditions into.
    let mediaDirectory: String
    /// The daemons' harnesses, each with its own spool and config.
    let daemons: [DaemonHarness]
    private let lock = NSLock()
    private var openedStore: (any VideoStore)?

    /// The lease is short so that a killed daemon's jobs are taken over within seconds.
    static let leaseSeconds: Int64 = 3

    /// Starts PostgreSQL, makes a database and writes `count` configs (not yet started):
    /// `DaemonHarness.baseConfig`, the store, a 3 s lease, 2 workers, a creates limit that 200
    /// drops never reach, the shared media folder, then `overrides`, then `perDaemon[i]`.
    init(daemons count: Int, overrides: [String: JSONValue] = [:], perDaemon: [Int: [String: JSONValue]] = [:]) throws {
        postgres = try PostgresServer()
        storeURL = try postgres.createDatabase()
        let scratch = NSTemporaryDirectory() + "video-ingest-fleet-" + UUID().uuidString.prefix(8)
        root = scratch
        mediaDirectory = scratch + "/media"
        try FileManager.default.createDirectory(atPath: mediaDirectory, withIntermediateDirectories: true)
        http = try TestHTTPServer()
        http.fileRoot = try Self.linkSamples(into: scratch + "/samples")
        let common: [String: JSONValue] = [
            "store.url": .string(storeURL),
            "store.leaseSeconds": .integer(Self.leaseSeconds),
            "workers": .integer(2),
            "intake.createsPerMinutePerSeller": .integer(10_000),
            "publish.mediaDirectory": .string(mediaDirectory),
        ].merging(overrides) { $1 }
        var made: [DaemonHarness] = []
        for index in 0..<count {
            made.append(try DaemonHarness(common.merging(perDaemon[index] ?? [:]) { $1 }))
        }
        daemons = made
    }

    deinit {
        for daemon in daemons where daemon.daemon != nil { _ = try? daemon.stopDaemon(signal: SIGKILL) }
        http.stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Links every file of SampleMedia and SampleMedia/uniform into one folder, so that the test
    /// server's `/files/<name>` (names without `/`) serves both.
    private static func linkSamples(into folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for source in [DaemonHarness.samples, DaemonHarness.samples + "/uniform"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: source) where name.contains(".") {
                try FileManager.default.createSymbolicLink(atPath: folder + "/" + name, withDestinationPath: source + "/" + name)
            }
        }
        return folder
    }

    // MARK: - Daemons

    /// Starts the daemons at the same time (their migrations race, as a fleet's do) and waits for each.
    func startAll() throws {
        try startConcurrently(Array(daemons.indices))
    }

    /// Starts the given daemons at once and waits until each says it started.
    func startConcurrently(_ indices: [Int], environment: [String: String] = [:]) throws {
        let errors = LockedValue<[String]>([])
        DispatchQueue.concurrentPerform(iterations: indices.count) { n in
            do { try daemons[indices[n]].startDaemon(environment: environment) } catch {
                errors.withValue { $0.append("daemon \(indices[n]): \(error)") }
            }
        }
        let failures = errors.withValue { $0 }
        guard failures.isEmpty else { throw HarnessTimeout(message: failures.joined(separator: "\n") + "\n" + postgres.logTail()) }
        for index in indices where !(daemons[index].daemon?.isRunning ?? false) {
            throw HarnessTimeout(message: "daemon \(index) exited at start-up: \(daemons[index].logLines().suffix(8).joined(separator: "\n"))")
        }
    }

    /// Stops every running daemon with SIGTERM.
    func stopAll() {
        for daemon in daemons where daemon.daemon != nil { _ = try? daemon.stopDaemon() }
    }

    /// The indices of the daemons now running.
    var running: [Int] { daemons.indices.filter { daemons[$0].daemon?.isRunning ?? false } }

    // MARK: - The store, read by the test itself

    /// The fleet's store, opened in this process (for job history and leases, which no command prints).
    func store() throws -> any VideoStore {
        try lock.withLock {
            if let openedStore { return openedStore }
            let opened = try StoreOpener.open(url: storeURL, sqlitePath: "/nonexistent/ingest.sqlite", passwordFile: nil)
            openedStore = opened
            return opened
        }
    }

    /// The index of the daemon whose spool a lease owner names (`<host>:<spool>#<pid>-<n>`).
    func daemonIndex(owner: String) -> Int? {
        daemons.indices.first { owner.contains(":" + URL(fileURLWithPath: daemons[$0].spool).standardizedFileURL.path + "#") }
    }

    /// The daemon now holding the lease of the video's job, with the stage the video shows.
    func holder(of videoId: String) throws -> (daemon: Int, stage: String?)? {
        guard let job = try store().job(videoId: videoId), job.state == "running", let owner = job.leaseOwner,
              let index = daemonIndex(owner: owner) else { return nil }
        return (index, try store().video(id: videoId)?.stage)
    }

    // MARK: - Reading the fleet's answers

    /// `list` from daemon `index`'s CLI, every page, by id.
    func listById(from index: Int) throws -> [String: JSONValue] {
        var byId: [String: JSONValue] = [:]
        for item in try daemons[index].listAll() {
            if let id = item["id"]?.stringValue { byId[id] = item }
        }
        return byId
    }

    /// Waits until every video of `ids` is SUCCESS or FAILED in the store.
    func waitForAllFinal(_ ids: Set<String>, timeout: TimeInterval) throws {
        var pending = ids
        try daemons[0].waitUntil("\(ids.count) videos to finish", timeout: timeout) {
            pending = try pending.filter { id in
                let status = try store().video(id: id)?.status
                return status != .success && status != .failed
            }
            if !pending.isEmpty { Thread.sleep(forTimeInterval: 0.25) }
            return pending.isEmpty
        }
    }

    /// Logs of every daemon, for failure messages.
    func logTails(_ lines: Int = 6) -> String {
        daemons.indices.map { "daemon \($0):\n" + daemons[$0].logLines().suffix(lines).joined(separator: "\n") }.joined(separator: "\n")
    }
}
