import Foundation
import MediaKit

/// The messages between the daemon and its media child (`video-ingest media-child check|optimize JSON`).
///
/// The request is one JSON object in the last argument; the child answers with one JSON object on
/// stdout (a `MediaChildResponse`) and prints progress on stderr as lines `{"progress":0.42}`.
/// Everything else on stderr is diagnostic text (FFmpeg's log) that the parent copies, bounded, to its log.
struct MediaChildRequest: Codable, Sendable, Equatable {
    /// The file to check, or the optimizer's input.
    var path: String
    /// `check`: the URL or file name whose extension must agree with the content.
    var name: String?
    /// `check`: the limits of the config in force.
    var limits: Limits?
    /// `optimize`: the format the check found.
    var format: ContainerFormat?
    /// `optimize`: where the rendition and poster go.
    var outputDirectory: String?
    /// `optimize`: the optimizer's settings.
    var settings: Settings?
    /// `optimize`: the check's probe of `path`, so the optimizer does not probe it again (nil: it does).
    var probe: ProbeReport?
    /// The resource limits the child applies to itself before it touches the file.
    var resources: MediaChildLimits
    /// The daemon's pid: after `PR_SET_PDEATHSIG` the child checks that it is still its parent
    /// (the daemon did not die before the death signal was armed). A daemon may be PID 1.
    var parentPid: Int32? = getpid()

    /// `limits` of the config.
    struct Limits: Codable, Sendable, Equatable {
        var maxFileSizeBytes: Int64
        var minDurationSeconds: Double
        var maxDurationSeconds: Double
        var allowedFormats: [String]
    }

    /// `optimization` of the config.
    struct Settings: Codable, Sendable, Equatable {
        var maxHeight: Int
        var maxFrameRate: Double
        var crf: Int
        var preset: String
        var x264Threads: Int
    }
}

/// The child's answer: for `check`, the `MediaCheck.Report` fields; for `optimize`, the result or the `MediaError`.
struct MediaChildResponse: Codable, Sendable, Equatable {
    var format: ContainerFormat?
    var durationSeconds: Double?
    var sizeBytes: Int64?
    var probe: ProbeReport?
    /// `check`: why the file failed (a contract code, or `worker` for a file that cannot be read at all).
    var failure: Failure?
    var usedFastPath: Bool?
    /// `optimize`: the re-probe of the written rendition.
    var output: ProbeReport?
    /// `optimize`: the optimizer's error.
    var error: Failure?

    /// A failure code (a contract `FailureCode`, a `MediaError.Code`, or `worker`) with its message.
    struct Failure: Codable, Sendable, Equatable {
        var code: String
        var message: String
    }
}

extension MediaChildRequest {
    /// The check request for `path` under `config`.
    static func check(path: String, name: String, config: IngestConfig) -> MediaChildRequest {
        let l = config.limits
        return MediaChildRequest(path: path, name: name,
                                 limits: Limits(maxFileSizeBytes: l.maxFileSizeBytes, minDurationSeconds: l.minDurationSeconds,
                                                maxDurationSeconds: l.maxDurationSeconds, allowedFormats: l.allowedFormats),
                                 resources: MediaChildLimits(config: config))
    }

    /// The optimize request for `path` under `config`.
    static func optimize(path: String, format: ContainerFormat, outputDirectory: String, config: IngestConfig) -> MediaChildRequest {
        let o = config.optimization
        return MediaChildRequest(path: path, format: format, outputDirectory: outputDirectory,
                                 settings: Settings(maxHeight: o.maxHeight, maxFrameRate: o.maxFrameRate, crf: o.crf, preset: o.preset,
                                                    x264Threads: o.x264Threads),
                                 resources: MediaChildLimits(config: config))
    }

    /// The config the child's `MediaCheck` runs with (only `limits` matter to it).
    var checkConfig: IngestConfig {
        var config = IngestConfig()
        if let limits {
            config.limits.maxFileSizeBytes = limits.maxFileSizeBytes
            config.limits.minDurationSeconds = limits.minDurationSeconds
            config.limits.maxDurationSeconds = limits.maxDurationSeconds
            config.limits.allowedFormats = limits.allowedFormats
        }
        return config
    }

    /// The optimizer's settings.
    var optimizeSettings: OptimizeSettings {
        guard let s = settings else { return IngestConfig().optimizeSettings }
        return OptimizeSettings(maxHeight: s.maxHeight, maxFrameRate: s.maxFrameRate, crf: s.crf, preset: s.preset,
                                x264Threads: s.x264Threads)
    }
}
