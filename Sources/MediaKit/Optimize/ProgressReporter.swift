/// Calls the progress callback about once per second of media processed.
struct ProgressReporter {
    private let durationSeconds: Double?
    private let callback: ((Double) -> Void)?
    private var lastReported = -Double.infinity

    /// A reporter for a source of `durationSeconds`.
    init(durationSeconds: Double?, callback: ((Double) -> Void)?) {
        self.durationSeconds = durationSeconds
        self.callback = callback
    }

    /// Notes that media up to `seconds` has been read.
    mutating func update(seconds: Double) {
        guard let callback, let duration = durationSeconds, duration > 0, seconds.isFinite,
              seconds - lastReported >= 1 else { return }
        lastReported = seconds
        callback(min(1, max(0, seconds / duration)))
    }
}
