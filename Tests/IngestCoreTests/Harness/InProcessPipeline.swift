import Foundation
import IngestStore
import XCTest
@testable import IngestCore

/// The real `JobRunner` in the test process, on a real SQLite file and a real spool, with an
/// injected `ManualClock` and, when wanted, substituted stage work (`StageWork`). Media children
/// run the built `video-ingest` binary.
final class InProcessPipeline: @unchecked Sendable {
    let root: String
    let layout: SpoolLayout
    let store: any VideoStore
    let statusWriter: StatusWriter
    let configSource: ConfigSource
    let clock = ManualClock()

    init(_ adjust: (inout IngestConfig) -> Void = { _ in }) throws {
        root = NSTemporaryDirectory() + "video-ingest-inproc-" + UUID().uuidString.prefix(8)
        layout = SpoolLayout(root: root + "/var")
        try layout.create()
        store = try IngestConfig().openStore(layout: layout)
        statusWriter = StatusWriter(layout: layout, store: store, origin: VideoOrigin.embeddedSpool)
        var config = IngestConfig()
        config.download.allowedNetworks = ["127.0.0.1/32"]
        config.download.retryBackoffSeconds = 0.1
        config.optimization.preset = "ultrafast"
        config.pipeline.faultBackoffSeconds = 0
        config.pipeline.maxFaultBackoffSeconds = 0
        adjust(&config)
        configSource = ConfigSource(path: nil, initial: config)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func runner(_ stages: StageWork = PipelineStages()) -> JobRunner {
        JobRunner(layout: layout, store: store, statusWriter: statusWriter, configSource: configSource, clock: clock,
                  stages: stages, mediaChildExecutable: DaemonHarness.mediaBinary)
    }

    /// Stores a new video (as intake would) and writes its status file; returns its id.
    func createVideo(url: String = "http://127.0.0.1:9/v.mp4", seller: String = "seller-1", products: [String] = ["p1"]) throws -> String {
        let video = NewVideo(sellerId: seller, title: "A product video", description: nil, videoUrl: url, productContentIds: products,
                             videoContentType: "PRODUCT_PROMOTION", storeFrontCode: "TR")
        guard case .created(let id) = try store.createVideo(video, idempotencyKey: UUID().uuidString, bodyDigest: "d", now: clock.wallNow()) else {
            throw HarnessTimeout(message: "not created")
        }
        try statusWriter.write(videoIds: [id])
        return id
    }

    /// Claims the job of `videoId` (by the injected wall clock).
    func claim(_ videoId: String, owner: String = "worker-a") throws -> JobRecord? {
        try store.claimJob(owner: owner, leaseSeconds: configSource.current.store.leaseSeconds, now: clock.wallNow(), videoId: videoId)
    }

    func video(_ id: String) throws -> VideoRecord { try XCTUnwrap(store.video(id: id)) }
    func job(_ id: String) throws -> JobRecord { try XCTUnwrap(store.job(videoId: id)) }

    /// The status file of `id`, parsed.
    func statusFile(_ id: String) -> JSONValue? {
        FileManager.default.contents(atPath: layout.statusFile(videoId: id)).flatMap { try? JSONParser.parse($0) }
    }
}

/// Stage work for state-machine tests: each stage calls `body`, which decides the outcome
/// (it may write real files into the context's scratch folder first).
struct ScriptedStages: StageWork {
    let body: @Sendable (JobStage, StageContext, StageResults) throws -> StageOutcome
    func run(_ stage: JobStage, _ context: StageContext, _ results: StageResults) throws -> StageOutcome {
        try body(stage, context, results)
    }
}
