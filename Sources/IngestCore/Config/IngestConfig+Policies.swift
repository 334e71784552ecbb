import IngestDownload
import MediaModel

/// The lower layers' settings, made from the config: `IngestConfig` is the one table of
/// defaults, and `IngestDownload`/`MediaKit` take the values it gives them.
extension IngestConfig {
    /// The policy of one download: `download.*` and `limits.maxFileSizeBytes`.
    public var downloadPolicy: DownloadPolicy {
        DownloadPolicy(timeoutSeconds: download.timeoutSeconds, stallTimeoutSeconds: download.stallTimeoutSeconds,
                       maxRedirects: download.maxRedirects, retries: download.retries,
                       retryBackoffSeconds: download.retryBackoffSeconds, maxBytes: limits.maxFileSizeBytes,
                       allowedNetworks: download.allowedNetworks.compactMap(CIDR.parse))
    }

    /// The optimizer's settings: `optimization.*`.
    public var optimizeSettings: OptimizeSettings {
        let o = optimization
        return OptimizeSettings(maxHeight: o.maxHeight, maxFrameRate: o.maxFrameRate, crf: o.crf, preset: o.preset,
                                x264Threads: o.x264Threads)
    }
}
