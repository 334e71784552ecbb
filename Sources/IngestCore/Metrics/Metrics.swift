import Foundation
import IngestHTTP
import IngestStore

/// The daemon's metrics (CONTRACT section 8) in the Prometheus text exposition format. Counters
/// and histograms live in this process (they survive a config reload and start at 0 after a
/// restart); the job gauges are read from the store at each scrape.
public final class Metrics: @unchecked Sendable {
    /// The process's metrics (the pipeline's stages and the API record into it).
    public static let shared = Metrics()
    /// `video_ingest_build_info{version}`.
    public static let version = "0.13.0"

    private let lock = NSLock()
    private var requests: [String: UInt64] = [:]            // method,route,code labels → count
    private var requestDurations: [String: Histogram] = [:]  // route label → histogram
    private var stageDurations: [String: Histogram] = [:]
    private var videos: [String: UInt64] = [:]               // result,error_code labels → count
    private var downloadBytes: UInt64 = 0
    private var webhookDeliveries: [String: UInt64] = [:]

    init() {}

    func observeRequest(method: String, route: String, status: Int, seconds: Double) {
        let method = ["GET", "HEAD", "POST", "DELETE"].contains(method) ? method : "other"
        lock.withLock {
            requests[labels(("method", method), ("route", route), ("code", String(status))), default: 0] += 1
            requestDurations[labels(("route", route)), default: Histogram(bounds: Histogram.requestBounds)].observe(seconds)
        }
    }

    /// A pipeline stage took `seconds` (whatever its outcome).
    public func observeStage(_ stage: String, seconds: Double) {
        lock.withLock { stageDurations[labels(("stage", stage)), default: Histogram(bounds: Histogram.stageBounds)].observe(seconds) }
    }

    /// A video reached SUCCESS, or FAILED with `errorCode`.
    public func countVideo(success: Bool, errorCode: String?) {
        lock.withLock { videos[labels(("result", success ? "SUCCESS" : "FAILED"), ("error_code", errorCode ?? "")), default: 0] += 1 }
    }

    public func countDownloadBytes(_ bytes: Int64) {
        lock.withLock { downloadBytes &+= UInt64(max(0, bytes)) }
    }

    /// A webhook delivery attempt ended with `result` (for the notifications layer).
    public func countWebhookDelivery(result: String) {
        lock.withLock { webhookDeliveries[labels(("result", result)), default: 0] += 1 }
    }

    /// The exposition text, with the job gauges read from the store.
    func exposition(stores: StorePool) -> HTTPResponse {
        let jobs = try? stores.with { try $0.jobCounts() }
        var out: [String] = []
        func family(_ name: String, _ type: String, _ help: String) { out += ["# HELP \(name) \(help)", "# TYPE \(name) \(type)"] }
        lock.withLock {
            family("video_ingest_build_info", "gauge", "Build information; always 1.")
            out.append("video_ingest_build_info{version=\"\(Self.version)\"} 1")
            family("video_ingest_videos_total", "counter", "Videos that reached SUCCESS or FAILED in this process.")
            for (l, v) in videos.sorted(by: { $0.key < $1.key }) { out.append("video_ingest_videos_total{\(l)} \(v)") }
            family("video_ingest_stage_duration_seconds", "histogram", "Duration of pipeline stages.")
            for (l, h) in stageDurations.sorted(by: { $0.key < $1.key }) { out += h.lines(name: "video_ingest_stage_duration_seconds", labels: l) }
            family("video_ingest_http_requests_total", "counter", "HTTP requests answered.")
            for (l, v) in requests.sorted(by: { $0.key < $1.key }) { out.append("video_ingest_http_requests_total{\(l)} \(v)") }
            family("video_ingest_http_request_duration_seconds", "histogram", "HTTP request durations, from the head to the last byte queued.")
            for (l, h) in requestDurations.sorted(by: { $0.key < $1.key }) { out += h.lines(name: "video_ingest_http_request_duration_seconds", labels: l) }
            family("video_ingest_webhook_deliveries_total", "counter", "Webhook delivery attempts by result.")
            for (l, v) in webhookDeliveries.sorted(by: { $0.key < $1.key }) { out.append("video_ingest_webhook_deliveries_total{\(l)} \(v)") }
            family("video_ingest_download_bytes_total", "counter", "Bytes downloaded from video URLs.")
            out.append("video_ingest_download_bytes_total \(downloadBytes)")
        }
        family("video_ingest_jobs", "gauge", "Jobs by state (queued: due now; waiting: backing off).")
        family("video_ingest_oldest_queued_job_age_seconds", "gauge", "How long the longest-due queued job has been due.")
        if let jobs {
            out.append("video_ingest_jobs{state=\"queued\"} \(jobs.queued)")
            out.append("video_ingest_jobs{state=\"running\"} \(jobs.running)")
            out.append("video_ingest_jobs{state=\"waiting\"} \(jobs.waiting)")
            let age = jobs.oldestQueuedSince.map { max(0, Date().timeIntervalSince($0)) } ?? 0
            out.append("video_ingest_oldest_queued_job_age_seconds \(Self.format(age))")
        }
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                            body: .bytes(Data((out.joined(separator: "\n") + "\n").utf8)))
    }

    /// `name="value",…` with the values escaped as the format requires.
    private func labels(_ pairs: (String, String)...) -> String {
        pairs.map { name, value in
            // Almost no value needs an escape; checking the bytes first keeps Foundation off every request.
            guard value.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) else { return "\(name)=\"\(value)\"" }
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            return "\(name)=\"\(escaped)\""
        }.joined(separator: ",")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
