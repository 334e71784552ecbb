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
        guard arguments.count == 2 else { return usageError("expected 'check' or 'optimize' and one request JSON") }
        return serve(operation: arguments[0], json: Data(arguments[1].utf8), parentChecked: false)
    }

    /// `warm PARENT_PID LABEL`: arms the death signal first (so a warm child never outlives the
    /// daemon), then waits for the request on stdin.
    private static func warm(_ arguments: [String]) -> Int32 {
        guard arguments.count == 2, let parent = Int32(arguments[0]) else { return usageError("expected warm PARENT_PID LABEL") }
        _ = GlibcExtras.setParentDeathSignal(SIGKILL)
        if getppid() != parent { return 1 }
        let input = FileHandle.standardInput.readDataToEndOfFile()
        guard !input.isEmpty else { return 0 }
        guard let newline = input.firstIndex(of: UInt8(ascii: "\n")) else { return usageError("expected OPERATION, a newline and the request") }
        runWarmTestHook()
        FileHandle.standardError.write(Data((Names.acceptedLine + "\n").utf8))
        let operation = String(decoding: input[input.startIndex..<newline], as: UTF8.self)
        return serve(operation: operation, json: Data(input[(newline + 1)...]), parentChecked: true)
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
        if hook == "crash" { abort() }
        if hook == "hang" { while true { sleep(3600) } }
        if hook.hasPrefix("crash-once:") {
            let marker = String(hook.dropFirst("crash-once:".count))
            if !FileManager.default.fileExists(atPath: marker) {
                _ = FileManager.default.createFile(atPath: marker, contents: Data())
                abort()
            }
        }
    }

    private static func runWarmTestHook() {
        guard let hook = ProcessInfo.processInfo.environment[Names.testHookVariable], hook.hasPrefix("warm-kill-once:") else { return }
        let marker = String(hook.dropFirst("warm-kill-once:".count))
        if !FileManager.default.fileExists(atPath: marker) {
            _ = FileManager.default.createFile(atPath: marker, contents: Data())
            kill(getpid(), SIGKILL)
        }
    }

    private static func usageError(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("video-ingest-media media-child: \(message)\n\(Names.usage)\n".utf8))
        return 2
    }
}
