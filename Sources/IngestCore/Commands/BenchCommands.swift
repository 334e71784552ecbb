import Foundation
import IngestDownload
import IngestObjectStore
import IngestStore

/// The hidden `video-ingest bench ...` commands used by `Benchmarks/run`: in-process timings that
/// a normal command cannot give (the store's query time, the downloader alone; the probe without
/// process start-up is `MediaBenchCommands`, in the media executable). Each prints one JSON object. Not part of the contract; not in `--help`.
public enum BenchCommands {
    /// `bench download URL DEST`: one download with the pipeline's downloader (127.0.0.1 allowed), timed.
    public static func download(url: String, destination: String) -> CommandResult {
        var policy = IngestConfig().downloadPolicy
        policy.timeoutSeconds = 600
        policy.retries = 0
        policy.maxBytes = Int64.max / 2
        policy.allowedNetworks = ["127.0.0.1/32", "::1/128"].compactMap(CIDR.parse)
        let start = monotonicNow()
        do {
            let result = try Downloader().download(url: url, to: destination, policy: policy)
            let seconds = monotonicNow() - start
            return .ok(.object([("bytes", .integer(result.bytes)), ("seconds", .number(seconds)),
                                ("megabytesPerSecond", .number(Double(result.bytes) / seconds / 1_000_000))]))
        } catch {
            return .failure("download failed: \(error)")
        }
    }

    /// `bench upload ENDPOINT BUCKET FILE KEY`: one upload with the publisher's S3 client (PUT, or
    /// multipart above 16 MiB), credentials from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, timed.
    public static func upload(endpoint: String, bucket: String, file: String, key: String) -> CommandResult {
        let start = monotonicNow()
        do throws(S3Error) {
            let credentials = try S3Credentials.resolve(file: nil, environment: ProcessInfo.processInfo.environment)
            let client = try S3Client(settings: S3Settings(endpoint: endpoint, bucket: bucket), credentials: credentials)
            try client.upload(file: file, key: key, contentType: "video/mp4")
            let seconds = monotonicNow() - start
            let bytes = try client.head(key: key)?.size ?? -1
            return .ok(.object([("bytes", .integer(bytes)), ("seconds", .number(seconds)),
                                ("megabytesPerSecond", .number(Double(bytes) / seconds / 1_000_000))]))
        } catch {
            return .failure("upload failed: \(error)")
        }
    }

    /// `bench query --spool DIR`: the list and status queries of the CLI against the spool's store,
    /// each `iterations` times: page 0, page `deepPage`, `--status FAILED`, `--id ID`, and `status ID`
    /// (ID: the newest video). Times are the store calls alone, in milliseconds.
    /// `configPath` (nil: the built-in defaults) names the store: its `store.url` runs the same
    /// queries on PostgreSQL.
    public static func query(spool: String, configPath: String? = nil, iterations: Int, deepPage: Int) -> CommandResult {
        do {
            let config = configPath == nil ? IngestConfig() : try ConfigLoader.load(option: configPath)
            let store = try config.openStore(layout: SpoolLayout(root: spool))
            guard let newest = try store.list(ListQuery(page: 0, size: 1)).items.first else {
                return .failure("the store under \(spool) holds no video")
            }
            let id = newest.id
            let cases: [(String, () throws -> Void)] = [
                ("listPage0", { _ = try store.list(ListQuery(page: 0, size: 10)) }),
                ("listDeepPage", { _ = try store.list(ListQuery(page: deepPage, size: 10)) }),
                ("listStatusFailed", { _ = try store.list(ListQuery(status: .failed, page: 0, size: 10)) }),
                ("listId", { _ = try store.list(ListQuery(id: id, page: 0, size: 10)) }),
                ("statusId", { _ = try store.video(id: id) }),
            ]
            var members: [(String, JSONValue)] = [("id", .string(id)), ("deepPage", .integer(Int64(deepPage)))]
            for (name, body) in cases {
                try body() // warm the page cache and the statement cache
                var times: [Double] = []
                for _ in 0..<iterations {
                    let start = monotonicNow()
                    try body()
                    times.append(monotonicNow() - start)
                }
                members.append((name, timings(times)))
            }
            return .ok(.object(members))
        } catch {
            return .failure("\(error)")
        }
    }

    /// `bench claims --spool DIR [--config FILE] --claimers N --jobs M`: stores M videos in the
    /// config's store (SQLite, or PostgreSQL by `store.url`), then N threads, each with its own
    /// store connection (as N workers of a fleet have), claim jobs until none is left. Prints the
    /// claims per second over the claiming alone and checks that every job was claimed once.
    public static func claims(spool: String, configPath: String?, claimers: Int, jobs: Int) -> CommandResult {
        do {
            let config = configPath == nil ? IngestConfig() : try ConfigLoader.load(option: configPath)
            let layout = SpoolLayout(root: spool)
            try layout.create()
            let seeder = try config.openStore(layout: layout)
            let seedStart = monotonicNow()
            for index in 0..<jobs {
                let video = NewVideo(sellerId: "bench-\(index % 100)", title: "Claim bench \(index)", description: nil,
                                     videoUrl: "https://cdn.example.com/v\(index).mp4", productContentIds: ["p\(index)"],
                                     videoContentType: "PRODUCT_PROMOTION", storeFrontCode: "TR")
                _ = try seeder.createVideo(video, idempotencyKey: "claim-bench-\(index)", bodyDigest: "bench", now: Date())
            }
            let seedSeconds = monotonicNow() - seedStart
            let stores = try (0..<claimers).map { _ in try config.openStore(layout: layout) }
            let counts = ClaimCounts(claimers)
            let start = monotonicNow()
            DispatchQueue.concurrentPerform(iterations: claimers) { worker in
                do {
                    while try stores[worker].claimJob(owner: "bench-\(worker)", leaseSeconds: 3600, now: Date(), videoId: nil) != nil {
                        counts.add(worker)
                    }
                } catch {
                    counts.fail("\(error)")
                }
            }
            let seconds = monotonicNow() - start
            let (claimed, errors) = counts.snapshot
            guard errors.isEmpty else { return .failure("a claimer failed: \(errors[0])") }
            guard claimed == jobs else { return .failure("\(claimed) claims of \(jobs) jobs") }
            return .ok(.object([("store", .string(seeder.describesLocation)), ("claimers", .integer(Int64(claimers))),
                                ("claims", .integer(Int64(claimed))), ("seconds", .number(seconds)),
                                ("claimsPerSecond", .number((Double(claimed) / seconds).rounded())),
                                ("seedSeconds", .number(seedSeconds))]))
        } catch {
            return .failure("\(error)")
        }
    }

    /// Median, p99 and max of `seconds`, in milliseconds.
    package static func timings(_ seconds: [Double]) -> JSONValue {
        let sorted = seconds.sorted()
        func at(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded(.up)))] }
        func ms(_ s: Double) -> JSONValue { .number((s * 1_000_000).rounded() / 1000) }
        return .object([("count", .integer(Int64(sorted.count))), ("median", ms(at(0.5))), ("p99", ms(at(0.99))),
                        ("max", ms(sorted.last ?? 0))])
    }

    package static func monotonicNow() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// What the claimers of `BenchCommands.claims` counted, from several threads.
private final class ClaimCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var perWorker: [Int]
    private var errors: [String] = []

    init(_ workers: Int) { perWorker = Array(repeating: 0, count: workers) }
    func add(_ worker: Int) { lock.withLock { perWorker[worker] += 1 } }
    func fail(_ error: String) { lock.withLock { errors.append(error) } }
    var snapshot: (claims: Int, errors: [String]) { lock.withLock { (perWorker.reduce(0, +), errors) } }
}
