import Foundation
import MediaModel

/// The messages between the daemon and its media child (`video-ingest-media media-child check|optimize JSON`).
///
/// The request is one JSON object in the last argument; the child answers with one JSON object on
/// stdout (a `MediaChildResponse`) and prints progress on stderr as lines `{"progress":0.42}`.
/// Everything else on stderr is diagnostic text (FFmpeg's log) that the parent copies, bounded, to its log.
package struct MediaChildRequest: Codable, Sendable, Equatable {
    /// The file to check, or the optimizer's input.
    package var path: String
    /// `check`: the URL or file name whose extension must agree with the content.
    package var name: String?
    /// `check`: the limits of the config in force.
    package var limits: Limits?
    /// `optimize`: the format the check found.
    package var format: ContainerFormat?
    /// `optimize`: where the rendition and poster go.
    package var outputDirectory: String?
    /// `optimize`: the optimizer's settings.
    package var settings: Settings?
    /// `optimize`: the check's probe of `path`, so the optimizer does not probe it again (nil: it does).
    package var probe: ProbeReport?
    /// The resource limits the child applies to itself before it touches the file.
    package var resources: MediaChildLimits
    /// The daemon's pid: after `PR_SET_PDEATHSIG` the child checks that it is still its parent
    /// (the daemon did not die before the death signal was armed). A daemon may be PID 1.
    package var parentPid: Int32? = getpid()

    /// `limits` of the config.
    package struct Limits: Codable, Sendable, Equatable {
        package var maxFileSizeBytes: Int64
        package var minDurationSeconds: Double
        package var maxDurationSeconds: Double
        package var allowedFormats: [String]
    }

    /// `optimization` of the config.
    package struct Settings: Codable, Sendable, Equatable {
        package var maxHeight: Int
        package var maxFrameRate: Double
        package var crf: Int
        package var preset: String
        package var x264Threads: Int
    }
}

/// The child's answer: for `check`, the `MediaCheck.Report` fields; for `optimize`, the result or the `MediaError`.
package struct MediaChildResponse: Codable, Sendable, Equatable {
    package var format: ContainerFormat?
    package var durationSeconds: Double?
    package var sizeBytes: Int64?
    package var probe: ProbeReport?
    /// `check`: why the file failed (a contract code, or `worker` for a file that cannot be read at all).
    package var failure: Failure?
    package var usedFastPath: Bool?
    /// `optimize`: the re-probe of the written rendition.
    package var output: ProbeReport?
    /// `optimize`: the optimizer's error.
    package var error: Failure?

    /// A failure code (a contract `FailureCode`, a `MediaError.Code`, or `worker`) with its message.
    package struct Failure: Codable, Sendable, Equatable {
        package var code: String
        package var message: String

        package init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    package init(format: ContainerFormat? = nil, durationSeconds: Double? = nil, sizeBytes: Int64? = nil, probe: ProbeReport? = nil,
                 failure: Failure? = nil, usedFastPath: Bool? = nil, output: ProbeReport? = nil, error: Failure? = nil) {
        self.format = format
        self.durationSeconds = durationSeconds
        self.sizeBytes = sizeBytes
        self.probe = probe
        self.failure = failure
        self.usedFastPath = usedFastPath
        self.output = output
        self.error = error
    }
}

extension MediaChildRequest {
    /// The check request for `path` under `config`.
    package static func check(path: String, name: String, config: IngestConfig) -> MediaChildRequest {
        let l = config.limits
        return MediaChildRequest(path: path, name: name,
                                 limits: Limits(maxFileSizeBytes: l.maxFileSizeBytes, minDurationSeconds: l.minDurationSeconds,
                                                maxDurationSeconds: l.maxDurationSeconds, allowedFormats: l.allowedFormats),
                                 resources: MediaChildLimits(config: config))
    }

    /// The optimize request for `path` under `config`.
    package static func optimize(path: String, format: ContainerFormat, outputDirectory: String, config: IngestConfig) -> MediaChildRequest {
        let o = config.optimization
        return MediaChildRequest(path: path, format: format, outputDirectory: outputDirectory,
                                 settings: Settings(maxHeight: o.maxHeight, maxFrameRate: o.maxFrameRate, crf: o.crf, preset: o.preset,
                                                    x264Threads: o.x264Threads),
                                 resources: MediaChildLimits(config: config))
    }

    /// The config the child's `MediaCheck` runs with (only `limits` matter to it).
    package var checkConfig: IngestConfig {
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
    package var optimizeSettings: OptimizeSettings {
        guard let s = settings else { return IngestConfig().optimizeSettings }
        return OptimizeSettings(maxHeight: s.maxHeight, maxFrameRate: s.maxFrameRate, crf: s.crf, preset: s.preset,
                                x264Threads: s.x264Threads)
    }
}
