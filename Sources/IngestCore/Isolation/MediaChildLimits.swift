import Foundation

/// The resource limits of one media child: applied by the child to itself with `setrlimit` before it
/// touches the file (address space, CPU time, file size, open files, no core dumps), and the wall-clock
/// deadline after which the parent kills it.
package struct MediaChildLimits: Codable, Sendable, Equatable {
    /// `RLIMIT_AS`, bytes.
    package var addressSpaceBytes: Int64
    /// `RLIMIT_CPU`, seconds (soft; the hard limit is 5 s more).
    var cpuSeconds: Int64
    /// `RLIMIT_FSIZE`, bytes.
    var fileSizeBytes: Int64
    /// `RLIMIT_NOFILE`.
    var openFiles: Int64
    /// Wall-clock seconds after which the parent sends SIGKILL.
    var deadlineSeconds: Double

    /// The limits of `config.pipeline`.
    init(config: IngestConfig) {
        let p = config.pipeline
        addressSpaceBytes = p.mediaMemoryLimitBytes
        cpuSeconds = Int64(p.mediaCpuSeconds.rounded(.up))
        fileSizeBytes = p.effectiveOutputLimitBytes(maxFileSizeBytes: config.limits.maxFileSizeBytes)
        openFiles = Int64(p.mediaOpenFiles)
        deadlineSeconds = p.mediaDeadlineSeconds
    }

    /// Applies the limits to the calling process. Returns the failures (empty when every limit is in force).
    package func apply() -> [String] {
        var problems: [String] = []
        func set(_ resource: Int32, _ name: String, soft: Int64, hard: Int64) {
            var limit = rlimit(rlim_cur: rlim_t(clamping: max(0, soft)), rlim_max: rlim_t(clamping: max(0, hard)))
            var current = rlimit()
            // A limit cannot be raised above the inherited hard limit: keep that one instead.
            if getrlimit(__rlimit_resource_t(UInt32(resource)), &current) == 0, current.rlim_max != rlim_t.max {
                limit.rlim_max = min(limit.rlim_max, current.rlim_max)
                limit.rlim_cur = min(limit.rlim_cur, limit.rlim_max)
            }
            if setrlimit(__rlimit_resource_t(UInt32(resource)), &limit) != 0 {
                problems.append("\(name): \(String(cString: strerror(errno)))")
            }
        }
        set(Int32(RLIMIT_CORE.rawValue), "RLIMIT_CORE", soft: 0, hard: 0)
        set(Int32(RLIMIT_AS.rawValue), "RLIMIT_AS", soft: addressSpaceBytes, hard: addressSpaceBytes)
        set(Int32(RLIMIT_CPU.rawValue), "RLIMIT_CPU", soft: cpuSeconds, hard: cpuSeconds + 5)
        set(Int32(RLIMIT_FSIZE.rawValue), "RLIMIT_FSIZE", soft: fileSizeBytes, hard: fileSizeBytes)
        set(Int32(RLIMIT_NOFILE.rawValue), "RLIMIT_NOFILE", soft: openFiles, hard: openFiles)
        return problems
    }

    /// Why a child that died on `signal` died, in words, for the log and the status document.
    func describeDeath(signal: Int32, killedAtDeadline: Bool) -> String {
        let name = Self.signalName(signal)
        var text = "the media worker was killed by signal \(signal) (\(name))"
        if killedAtDeadline {
            text += " after exceeding the \(Self.format(deadlineSeconds)) s deadline"
        } else if signal == SIGXCPU {
            text += " after exceeding its CPU-time limit of \(cpuSeconds) s"
        } else if signal == SIGXFSZ {
            text += " after exceeding its output file-size limit of \(fileSizeBytes) bytes"
        } else if signal == SIGKILL {
            text += " (out of memory or killed from outside)"
        }
        return text
    }

    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
                                      SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV",
                                      SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ",
                                      SIGSYS: "SIGSYS"]
        return names[signal] ?? "signal \(signal)"
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
