/// A Prometheus histogram: cumulative bucket counts, sum and count (not thread-safe by itself;
/// `Metrics` holds the lock).
struct Histogram {
    let bounds: [Double]
    private(set) var counts: [UInt64]
    private(set) var sum: Double = 0
    private(set) var count: UInt64 = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        for (i, bound) in bounds.enumerated() where value <= bound { counts[i] += 1 }
        sum += value
        count += 1
    }

    /// The exposition lines of this series (`labels` without braces, may be empty).
    func lines(name: String, labels: String) -> [String] {
        let prefix = labels.isEmpty ? "" : labels + ","
        var out: [String] = []
        for (i, bound) in bounds.enumerated() { out.append("\(name)_bucket{\(prefix)le=\"\(Metrics.format(bound))\"} \(counts[i])") }
        out.append("\(name)_bucket{\(prefix)le=\"+Inf\"} \(count)")
        let braces = labels.isEmpty ? "" : "{\(labels)}"
        out.append("\(name)_sum\(braces) \(Metrics.format(sum))")
        out.append("\(name)_count\(braces) \(count)")
        return out
    }

    /// Request latencies: 1 ms to 10 s.
    static let requestBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// Stage durations: 50 ms (a check) to 15 min (a long transcode).
    static let stageBounds: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900]
}
