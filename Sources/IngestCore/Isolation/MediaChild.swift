import Foundation
import MediaModel

/// The parent side of media isolation: runs `MediaCheck.check` and `Optimizer.optimize` in a child
/// process (`video-ingest-media media-child …`, `MediaExecutable`) under resource limits and a wall-clock deadline, and maps
/// what comes back. A hostile file can crash, exhaust or hang only the child; the daemon goes on.
struct MediaChild: Sendable {
    /// How a child run can fail, other than with an answer.
    enum Failure: Error, Sendable, CustomStringConvertible {
        /// The child died on a signal, was killed for a limit or the deadline, or exited without an answer.
        case died(String)
        /// The daemon is stopping; the child was killed.
        case stopped
        /// The child could not be started (the worker's own fault).
        case spawnFailed(String)
        /// The child ran out of memory on a file the check accepted (the worker's fault, see `MemoryExhaustion`).
        case outOfMemory(String)

        var description: String {
            switch self {
            case .died(let reason): return reason
            case .stopped: return "stopped"
            case .spawnFailed(let reason): return "cannot start the media worker: \(reason)"
            case .outOfMemory(let reason): return reason
            }
        }
    }

    /// Where the child of a run comes from: the fork server (else one spawned now).
    let children: MediaForkServer
    /// At most this many stderr lines of one child go to the daemon log.
    var maxLoggedLines = 20
    let log: Log
    var videoId: String? = nil
    var sellerId: String? = nil

    /// `MediaCheck.check` in a child. A check that cannot read the file at all has a `.workerFault` failure.
    func check(path: String, name: String, config: IngestConfig,
               shouldStop: @escaping () -> Bool) throws(Failure) -> MediaCheck.Report {
        let request = MediaChildRequest.check(path: path, name: name, config: config)
        let answer = try run("check", request, shouldStop: shouldStop, progress: nil)
        var report = MediaCheck.Report(format: answer.format, durationSeconds: answer.durationSeconds,
                                       sizeBytes: answer.sizeBytes ?? 0, probe: answer.probe, failure: nil)
        if let failure = answer.failure {
            if let code = FailureCode(rawValue: failure.code) {
                report.failure = .seller(code, failure.message)
            } else {
                report.failure = .workerFault("check: \(failure.message)")
            }
        }
        return report
    }

    /// `Optimizer.optimize` in a child. Its `MediaError` comes back as `.success(.failure(error))`.
    /// `source` is the check's probe of `input` (the child then does not probe it again).
    func optimize(input: String, format: ContainerFormat, source: ProbeReport?, outputDirectory: String, config: IngestConfig,
                  progress: @escaping (Double) -> Void, shouldStop: @escaping () -> Bool) throws(Failure) -> Result<OptimizeResult, MediaError> {
        var request = MediaChildRequest.optimize(path: input, format: format, outputDirectory: outputDirectory, config: config)
        request.probe = source
        let answer = try run("optimize", request, shouldStop: shouldStop, progress: progress)
        if let error = answer.error, error.code == MemoryExhaustion.answerCode { throw .outOfMemory(error.message) }
        if let error = answer.error {
            return .failure(MediaError(MediaError.Code(rawValue: error.code) ?? .io, error.message))
        }
        guard let fastPath = answer.usedFastPath, let output = answer.output else {
            throw .died("the media worker answered without a result")
        }
        let folder = URL(fileURLWithPath: outputDirectory)
        return .success(OptimizeResult(videoPath: folder.appendingPathComponent("video_hd.mp4").path,
                                       posterPath: folder.appendingPathComponent("poster.jpg").path,
                                       usedFastPath: fastPath, output: output))
    }

    /// Runs one child and decodes its answer. The request goes to the child's stdin; a child that dies
    /// before it says it took the request (killed while it waited) is replaced once by a fresh one and
    /// counts no media crash; neither does one that died with its fork server (a worker fault).
    private func run(_ operation: String, _ request: MediaChildRequest, shouldStop: () -> Bool,
                     progress: ((Double) -> Void)?) throws(Failure) -> MediaChildResponse {
        let json: String
        do { json = try JSONCoding.text(request) } catch {
            throw .spawnFailed("cannot encode the request: \(error)")
        }
        let payload = Data((operation + "\n" + json).utf8)
        let run = ChildProcess(executable: children.executable, arguments: [], deadlineSeconds: request.resources.deadlineSeconds)
        var logged = 0, dropped = 0
        var sawExhaustion = false
        var outcome: ChildProcess.Outcome
        var accepted = false, serverLost = false
        var attempt = 0
        repeat {
            attempt += 1
            let child: RunningChild
            do { child = try children.take() } catch { throw .spawnFailed(error.description) }
            _ = child.sendAndClose(payload)  // a child that is gone shows in its termination
            accepted = false
            outcome = run.collect(child, shouldStop: shouldStop) { line in
                if line == MediaChildCommand.acceptedLine { accepted = true; return }
                if MemoryExhaustion.mentionsExhaustion(line) { sawExhaustion = true }
                if let fraction = Self.progress(in: line) {
                    progress?(fraction)
                } else if logged < maxLoggedLines {
                    logged += 1
                    log.info("media worker: \(line)", videoId: videoId, sellerId: sellerId, stage: operation)
                } else {
                    dropped += 1
                }
            }
            serverLost = child.serverLost
            if !accepted && outcome.termination != .stopped {
                let why = Self.describe(outcome.termination, request.resources)
                log.warn("a media worker died before it took the request (\(why)); "
                         + (attempt == 1 ? "starting another" : "giving up"), videoId: videoId, sellerId: sellerId, stage: operation)
            }
        } while !accepted && outcome.termination != .stopped && attempt < 2
        if !accepted && outcome.termination != .stopped {
            throw .spawnFailed("the media worker died before it took the request: \(Self.describe(outcome.termination, request.resources))")
        }
        if dropped > 0 { log.info("media worker: \(dropped) more lines not logged", videoId: videoId, sellerId: sellerId, stage: operation) }
        if serverLost && outcome.termination != .stopped {
            log.warn("the media fork server died while its child ran; the job is retried", videoId: videoId, sellerId: sellerId, stage: operation)
            throw .spawnFailed("the media fork server died while the media worker ran")
        }

        switch outcome.termination {
        case .stopped:
            throw .stopped
        case .signaled(let signal, let atDeadline):
            let reason = request.resources.describeDeath(signal: signal, killedAtDeadline: atDeadline)
            log.warn(reason, videoId: videoId, sellerId: sellerId, stage: operation)
            if sawExhaustion && !atDeadline { throw .outOfMemory("\(reason) after running out of memory") }
            throw .died(reason)
        case .exited(let status):
            if outcome.stdoutOverflowed { throw .died("the media worker wrote more than \(run.stdoutLimit) bytes of answer") }
            guard status == 0 else { throw .died("the media worker exited with status \(status) without an answer") }
            guard let answer = try? JSONCoding.decode(MediaChildResponse.self, from: outcome.stdout) else {
                throw .died("the media worker's answer is not valid JSON")
            }
            return answer
        }
    }

    private static func describe(_ termination: ChildProcess.Termination, _ limits: MediaChildLimits) -> String {
        switch termination {
        case .exited(let status): return "exit status \(status)"
        case .signaled(let signal, let atDeadline): return limits.describeDeath(signal: signal, killedAtDeadline: atDeadline)
        case .stopped: return "stopped"
        }
    }

    /// The fraction of a `{"progress":0.42}` line, or nil for any other line.
    static func progress(in line: String) -> Double? {
        guard line.hasPrefix("{\"progress\":"), line.hasSuffix("}") else { return nil }
        return Double(line.dropFirst("{\"progress\":".count).dropLast())
    }
}
