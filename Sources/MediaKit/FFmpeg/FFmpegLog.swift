import CFFmpeg

/// Silences libav* below error level, once per process.
enum FFmpegLog {
    /// Sets `av_log_set_level(AV_LOG_ERROR)` the first time it is called.
    static func configure() { _ = quietLogging }
}

private let quietLogging: Void = { av_log_set_level(AV_LOG_ERROR) }()
