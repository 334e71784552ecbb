import Foundation
import IngestGlibc
import IngestCore
import MediaKit

/// The child side of media isolation (`MediaChildCommand` names its command line and protocol): reads
/// one request, applies the limits, runs `MediaCheck.check` or `Optimizer.optimize`, and answers on stdout.
package enum MediaChildServer {
    private typealias Names = MediaChildCommand

    /// Runs the child; returns its exit status.
    package static func main(_ arguments: [String]) -> Int32 {
        if arguments.first == Names.warmOperation { return warm(Array(arguments.dropFirst())) }
        if arguments.first == Names.serverOperation { return MediaForkServerLoop.main(Array(arguments.dropFirst())) }
        guard arguments.count == 2 else { return usageError("expected 'check' or 'optimize' and one request JSON") }
        return serve(operation: arguments[0], json: Data(arguments[1].utf8), parentChecked: false)
    }

    /// `warm PARENT_PID LABEL`: arms the death signal first (so the child never outlives the
    /// daemon), then waits for the request on stdin.
    private static func warm(_ arguments: [String]) -> Int32 {
        guard arguments.count == 2, let parent = Int32(arguments[0]) else { return usageError("expected warm PARENT_PID LABEL") }
        _ = GlibcExtras.setParentDeathSignal(SIGKILL)
        if getppid() != parent { return 1 }
        return serveFromStdin()
    }

    /// Reads `OPERATION`, a newline and the request JSON from stdin to its end, says it accepted
    /// them, and runs them (the death signal is armed and the parent checked already).
    static func serveFromStdin() -> Int32 {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        guard !input.isEmpty else { return 0 }
        guard let newline = input.firstIndex(of: UInt8(ascii: "\n")) else { return usageError("expected OPERATION, a newline and the request") }
        runWarmTestHook()
        FileHandle.standardError.write(Data((Names.acceptedLine + "\n").utf8))
        let operation = String(decoding: input[input.startIndex..<newline], as: UTF8.self)
        return serve(operation: operation, json: Data(input[(newline + 1)...]), parentChecked: true)
    }

    /// Runs, once in the fork server, what every child would otherwise do first on cold caches (the
    /// Swift runtime's protocol-conformance and type-metadata lookups of the request's and the answer's
    /// coding, Foundation's first use), on synthetic values: no job's data. Each forked child then
    /// finds them done in the memory it inherits.
    static func warmUpForForking() {
        let config = IngestConfig()
        let picture = PictureInfo(sampleAspectRatio: Ratio(num: 1, den: 1), colorRange: "tv", colorPrimaries: "bt709", colorTransfer: "bt709",
                                  colorSpace: "bt709", bitDepth: 8, chromaShiftX: 1, chromaShiftY: 1, fieldOrder: "progressive",
                                  averageFrameRate: 1, realFrameRate: 1)
        var probe = ProbeReport(format: .mp4, durationSeconds: 1, bitRate: 1,
                                streams: [StreamInfo(index: 0, type: "video", codec: "h264", width: 2, height: 2, frameRate: 1, rotationDegrees: 0,
                                                     pixelFormat: "yuv420p", profile: "High", bitRate: 1, durationSeconds: 1, picture: picture,
                                                     isDefault: true),
                                          StreamInfo(index: 1, type: "audio", codec: "aac", sampleRate: 1, channels: 1, bitRate: 1,
                                                     durationSeconds: 1, channelLayout: "mono", isDefault: true)],
                                isFaststart: true, metadataKeys: ["warm-up"])
        probe.headerDurationSeconds = 1
        _ = String(format: "%.2f s", 1.0)
        var optimize = MediaChildRequest.optimize(path: "/nonexistent/warm-up.mp4", format: .mp4, outputDirectory: "/nonexistent", config: config)
        optimize.probe = probe
        for request in [MediaChildRequest.check(path: "/nonexistent/warm-up.mp4", name: "warm-up.mp4", config: config), optimize] {
            if let text = try? JSONCoding.text(request) { _ = try? JSONCoding.decode(MediaChildRequest.self, from: Data(text.utf8)) }
        }
        let answer = MediaChildResponse(format: .mp4, durationSeconds: 1, sizeBytes: 1, probe: probe,
                                        failure: .init(code: "warm-up", message: "warm-up"), usedFastPath: false, output: probe)
        if let text = try? JSONCoding.text(answer) { _ = try? JSONCoding.decode(MediaChildResponse.self, from: Data(text.utf8)) }
        _ = ProcessInfo.processInfo.environment[Names.testHookVariable]
        _ = FileManager.default.fileExists(atPath: "/nonexistent/warm-up")
        _ = (FileHandle.standardInput, FileHandle.standardOutput, FileHandle.standardError)
    }

    /// Decodes and runs one request.
    private static func serve(operation: String, json: Data, parentChecked: Bool) -> Int32 {
        _ = GlibcExtras.setThreadName(Names.workingName)
        guard operation == "check" || operation == "optimize" else {
            return usageError("expected 'check' or 'optimize' and one request JSON")
        }
        let request: MediaChildRequest
        do {
            request = try JSONCoding.decode(MediaChildRequest.self, from: json)
        } catch {
            return usageError("the request is not valid JSON for media-child: \(error)")
        }
        if operation == "optimize" && (request.format == nil || request.outputDirectory == nil) {
            return usageError("an optimize request needs format and outputDirectory")
        }
        if !parentChecked {
            // Die with the daemon's worker thread, so an orphan never runs on. The daemon may have died
            // before the death signal was armed: then this process was reparented and its parent is no
            // longer the pid the daemon wrote into the request. (Not "getppid() == 1": a daemon in a
            // container without an init is PID 1 itself.)
            _ = GlibcExtras.setParentDeathSignal(SIGKILL)
            if let parent = request.parentPid, getppid() != parent { return 1 }
        }
        runTestHook()
        let problems = request.resources.apply()
        guard problems.isEmpty else {
            FileHandle.standardError.write(Data("media-child: cannot apply the limits: \(problems.joined(separator: "; "))\n".utf8))
            return 1
        }
        let response = operation == "check" ? check(request) : optimize(request)
        guard let json = try? JSONCoding.text(response) else { return 1 }
        FileHandle.standardOutput.write(Data((json + "\n").utf8))
        return 0
    }

    private static func check(_ request: MediaChildRequest) -> MediaChildResponse {
        let name = request.name ?? (request.path as NSString).lastPathComponent
        do {
            let report = try MediaCheck.check(path: request.path, name: name, config: request.checkConfig)
            var response = MediaChildResponse(format: report.format, durationSeconds: report.durationSeconds,
                                              sizeBytes: report.sizeBytes, probe: report.probe)
            switch report.failure {
            case .seller(let code, let message)?: response.failure = .init(code: code.rawValue, message: message)
            case .workerFault(let message)?: response.failure = .init(code: "worker", message: message)
            case .cancelled?: response.failure = .init(code: "worker", message: "cancelled")
            case nil: break
            }
            return response
        } catch {
            return MediaChildResponse(failure: .init(code: "worker", message: "\(error)"))
        }
    }

    private static func optimize(_ request: MediaChildRequest) -> MediaChildResponse {
        let progress = StageContext.throttled(every: 0.5) { fraction in
            let line = "{\"progress\":\((fraction * 1000).rounded() / 1000)}\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
        do {
            let result = try Optimizer.optimize(input: request.path, format: request.format!, outputDirectory: request.outputDirectory!,
                                                settings: request.optimizeSettings, source: request.probe, progress: progress)
            return MediaChildResponse(usedFastPath: result.usedFastPath, output: result.output)
        } catch let error as MediaError where MemoryExhaustion.isExhaustion(error) {
            let limit = request.resources.addressSpaceBytes >> 20
            return MediaChildResponse(error: .init(code: MemoryExhaustion.answerCode,
                                                   message: "the media worker ran out of memory (RLIMIT_AS \(limit) MiB): \(error.description)"))
        } catch let error as MediaError {
            return MediaChildResponse(error: .init(code: error.code.rawValue, message: error.description))
        } catch {
            return MediaChildResponse(error: .init(code: MediaError.Code.io.rawValue, message: "\(error)"))
        }
    }

    private static func runTestHook() {
        guard let hook = ProcessInfo.processInfo.environment[Names.testHookVariable], !hook.isEmpty else { return }
        if hook == "crash" || firstTime(hook, "crash-once:") { abort() }
        if hook == "hang" || firstTime(hook, "hang-once:") { while true { sleep(3600) } }
    }

    private static func runWarmTestHook() {
        guard let hook = ProcessInfo.processInfo.environment[Names.testHookVariable] else { return }
        if firstTime(hook, "warm-kill-once:") { kill(getpid(), SIGKILL) }
    }

    /// True when `hook` is `prefix` + a marker file that does not exist yet (it is created, so the
    /// next child's answer is false).
    private static func firstTime(_ hook: String, _ prefix: String) -> Bool {
        guard hook.hasPrefix(prefix) else { return false }
        let marker = String(hook.dropFirst(prefix.count))
        guard !FileManager.default.fileExists(atPath: marker) else { return false }
        return FileManager.default.createFile(atPath: marker, contents: Data())
    }

    private static func usageError(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("video-ingest-media media-child: \(message)\n\(Names.usage)\n".utf8))
        return 2
    }
}
